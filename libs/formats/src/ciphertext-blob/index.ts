export * from './aad.js';
export * from './deserialize.js';
export * from './format.js';
export * from './serialize.js';
