// Real local servers (nats-server, PostgreSQL, SoftHSM2 tokens) for the local start command and tests.
export { freePort } from './free-port.js';
export { ensureUserNkey } from './nkey-seed.js';
export * from './nats-server.js';
export * from './postgres.js';
export { signalTrackedProcesses, tailFile, trackProcess, trackedPids } from './process.js';
export * from './softhsm.js';
export { type DevTls, ensureDevTls } from './dev-tls.js';
