export * from './platform.js';
export * from './wycheproof/index.js';
export * from './test-database.js';
