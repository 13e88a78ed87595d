// Maps the `paths` aliases of tsconfig.base.json to Jest's moduleNameMapper, so tests import libs
// exactly as the apps do (through each lib's public index.ts).
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

function tsconfigPaths() {
  const raw = readFileSync(join(__dirname, '..', '..', 'tsconfig.base.json'), 'utf8');
  return JSON.parse(raw).compilerOptions.paths ?? {};
}

function swcPaths() {
  return tsconfigPaths();
}

function pathsToModuleNameMapper() {
  const mapper = {};
  for (const [alias, targets] of Object.entries(tsconfigPaths())) {
    const escaped = alias.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace('\\*', '(.*)');
    mapper[`^${escaped}$`] = `<rootDir>/${targets[0].replace('*', '$1')}`;
  }
  return mapper;
}

module.exports = { pathsToModuleNameMapper, swcPaths };
