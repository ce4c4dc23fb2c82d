export * from './platform.js';
export * from './wycheproof/index.js';
