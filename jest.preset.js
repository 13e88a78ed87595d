// Shared by the unit and integration configurations. Tests are transpiled by SWC (type checking is
// the `typecheck` target's job), with decorator metadata so Nest modules resolve as they do at runtime.
const { pathsToModuleNameMapper, swcPaths } = require('./tools/jest/paths');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  // Only directories that exist: apps/ arrives with the first service.
  roots: ['apps', 'libs', 'tools', 'bench']
    .filter((d) => require('node:fs').existsSync(require('node:path').join(__dirname, d)))
    .map((d) => '<rootDir>/' + d),
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2023',
          // Global setup is loaded without moduleNameMapper, so SWC rewrites @leadflow/* imports itself.
          baseUrl: __dirname,
          paths: swcPaths(),
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
    // jose ships ESM only; Jest's CommonJS runtime cannot require it, so SWC compiles it like our sources.
    '^.+/node_modules/jose/.+\\.js$': [
      '@swc/jest',
      { jsc: { target: 'es2023', parser: { syntax: 'ecmascript' } }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(),
  modulePathIgnorePatterns: ['<rootDir>/.local/', '<rootDir>/dist/'],
  setupFiles: ['<rootDir>/tools/jest/setup-env.js'],
};
