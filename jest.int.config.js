const preset = require('./jest.preset.js');

/** @type {import("jest").Config}
 * Integration tests: `*.int-spec.ts`, against a real Kafka broker and a real Azurite.
 * One broker and one Azurite per test run (global setup); each test makes its own topics, groups, tables.
 */
const config = {
  ...preset,
  displayName: 'int',
  testMatch: ['**/*.int-spec.ts'],
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
  setupFiles: [...preset.setupFiles, '<rootDir>/tools/jest/trust-test-ca.js'],
  testTimeout: 60_000,
  // Two cores: a broker, an emulator and the services under test already share them.
  maxWorkers: 2,
};

module.exports = config;
