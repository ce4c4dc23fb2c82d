// Shared Jest settings: ESM mode (NestJS 12 is ES-module only), SWC with decorator metadata.
const path = require('node:path');
const root = __dirname;
const libs = [
  'contracts',
  'evidence',
  'formats',
  'pkcs11',
  'platform',
  'policy-engine',
  'quorum',
  'sdk',
  'testing',
];
module.exports = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2023',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleNameMapper: {
    ...Object.fromEntries(libs.map((l) => [`^@symbolon/${l}$`, path.join(root, `libs/${l}/src/index.ts`)])),
    '^@symbolon/sdk/node$': path.join(root, 'libs/sdk/src/node/index.ts'),
    '^@symbolon/sdk/browser$': path.join(root, 'libs/sdk/src/browser/index.ts'),
    '^@symbolon/sdk/pkcs11$': path.join(root, 'libs/sdk/src/pkcs11/index.ts'),
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};
