/** Injection tokens of the coordinator. */
export const RPC = Symbol('RpcClient');
export const DATA_SOURCE = Symbol('DataSource');
/** Publishes the lifecycle job's actions to the audit stream (an AuditPublisher on Subjects.events.jobHandled). */
export const JOB_EVENTS = Symbol('JobEvents');
