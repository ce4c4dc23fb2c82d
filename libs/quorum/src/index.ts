export * from './check-proposal.js';
export * from './domain-state.js';
export { QuorumError } from './needs.js';
export * from './proposal.js';
export * from './rules.js';
export { MAX_SIGNATURES } from './shape.js';
