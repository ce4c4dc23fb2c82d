/** The platform-agnostic core (WebCrypto only); Node code imports '@symbolon/sdk/node', pages '@symbolon/sdk/browser'. */
export * from './core/index.js';
