/** Injection tokens of the coordinator. */
export const RPC = Symbol('RpcClient');
/** The RpcClient for the audit service: replies in its own inbox (AUDIT_REPLY_INBOX in libs/platform). */
export const AUDIT_RPC = Symbol('AuditRpcClient');
export const DATA_SOURCE = Symbol('DataSource');
/** Publishes the lifecycle job's actions to the audit stream (an AuditPublisher on Subjects.events.jobHandled). */
export const JOB_EVENTS = Symbol('JobEvents');
