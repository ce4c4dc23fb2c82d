/** Injection tokens of the coordinator. */
export const RPC = Symbol('RpcClient');
export const DATA_SOURCE = Symbol('DataSource');
