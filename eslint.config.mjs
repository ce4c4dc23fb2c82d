// Flat config: typescript-eslint with type-aware promise rules, and Nx module boundaries (STYLE.md, "Tags and
// boundaries"): only the hsm scope (and the SDK's Node-only `@symbolon/sdk/pkcs11` entry, ADR 0016) reaches libs/pkcs11,
// only libs/pkcs11 imports pkcs11js, formats stays pure.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const scopes = ['gateway', 'policy', 'coordinator', 'audit', 'hsm', 'storage', 'cli', 'sdk'];

// The SDK's entry points other than `@symbolon/sdk/pkcs11` never import it, nor libs/pkcs11, statically: pkcs11js is a
// native addon that browsers cannot load and Node users without a token must not (ADR 0016). `loadConfig` imports it
// dynamically, only for a `pkcs11` authority.
const noStaticPkcs11 = {
  group: [
    '@symbolon/pkcs11',
    '@symbolon/pkcs11/*',
    '@symbolon/sdk/pkcs11',
    '**/pkcs11',
    '**/pkcs11/**',
    'pkcs11js',
  ],
  message: 'the SDK loads @symbolon/sdk/pkcs11 only on demand (dynamic import): ADR 0016',
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'dist/**', '.symbolon/**', '.nx/**', '**/*.cjs', '**/*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            ...scopes.map((s) => ({
              sourceTag: `scope:${s}`,
              // The CLI encrypts and decrypts envelopes with the SDK, as any client does.
              onlyDependOnLibsWithTags: [
                `scope:${s}`,
                'scope:shared',
                'scope:testing',
                ...(s === 'cli' ? ['scope:sdk'] : []),
                // libs/pkcs11 (scope:hsm), for libs/sdk/src/pkcs11 alone: no-restricted-imports below (ADR 0016).
                ...(s === 'sdk' ? ['scope:hsm'] : []),
              ],
            })),
            { sourceTag: 'scope:sdk', bannedExternalImports: ['@nestjs/*', 'typeorm', 'pkcs11js'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['*'] },
            { sourceTag: 'type:app', bannedExternalImports: ['pkcs11js'] },
            { sourceTag: 'scope:shared', bannedExternalImports: ['pkcs11js'] },
            { sourceTag: 'scope:testing', bannedExternalImports: ['pkcs11js'] },
            {
              sourceTag: 'lib:pure',
              onlyDependOnLibsWithTags: [],
              bannedExternalImports: ['@nestjs/*', 'typeorm', 'pkcs11js'],
            },
          ],
        },
      ],
    },
  },
  {
    // The SDK's core and browser binding run in browsers: WebCrypto and web streams only (STYLE.md).
    files: ['libs/sdk/src/index.ts', 'libs/sdk/src/core/**/*.ts', 'libs/sdk/src/browser/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'no node: modules in the SDK core or its browser binding' },
            noStaticPkcs11,
          ],
        },
      ],
    },
  },
  {
    files: ['libs/sdk/src/node/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noStaticPkcs11] }] },
  },
  {
    files: [
      '**/*.spec.ts',
      '**/*.integration-spec.ts',
      '**/*.e2e-spec.ts',
      '**/*.test-helper.ts',
      'libs/testing/**',
      'e2e/**',
      'bench/**',
    ],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@nx/enforce-module-boundaries': 'off' },
  },
  prettier,
);
