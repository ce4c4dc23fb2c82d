/** In-memory fakes shared by unit specs. Nothing here opens a socket, a file or a database. */
export * from './as-fake.js';
export * from './fake-hsm-router.js';
export * from './in-memory-access-keys.js';
export * from './in-memory-key-store.js';
export * from './in-memory-key-lifecycle-store.js';
export * from './key-rows.js';
export * from './recording-rpc.js';
export * from './key-fakes.js';
