export const AUDIT_DATA_SOURCE = Symbol('AuditDataSource');
export const EVENTS_CONSUMER = Symbol('EventsConsumer');
export const DIGEST_JOB = Symbol('DigestJob');
