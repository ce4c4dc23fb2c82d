export const STORAGE_DATA_SOURCE = Symbol('StorageDataSource');
export const STORAGE_RPC = Symbol('StorageRpc');
export const BLOB_STORE = Symbol('BlobStore');
