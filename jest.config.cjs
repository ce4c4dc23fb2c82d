// Tiers: unit (*.spec.ts), integration (*.integration-spec.ts), e2e (*.e2e-spec.ts). Select with --selectProjects.
const preset = require('./jest.preset.cjs');
const base = { ...preset, rootDir: __dirname, testPathIgnorePatterns: ['/node_modules/', '/dist/'] };
module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,deploy,bench}/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.integration-spec.ts'],
    },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'] },
  ],
};
