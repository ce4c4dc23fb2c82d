export * from './audit-export.js';
export * from './canonical.js';
export * from './chain.js';
export * from './documents.js';
export { EvidenceError } from './needs.js';
