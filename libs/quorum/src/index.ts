export * from './domain-state.js';
