const preset = require('./jest.preset.js');

/** @type {import("jest").Config} Unit tests: `*.spec.ts`, no broker, no emulator, fast. */
const config = {
  ...preset,
  displayName: 'unit',
  testMatch: ['**/*.spec.ts'],
};

module.exports = config;
