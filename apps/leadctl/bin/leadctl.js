#!/usr/bin/env node
// `npx leadctl` / the package's `bin`: the built program when `./dev build` (or the image) made it, else the
// TypeScript entry point through SWC with the repository's tsconfig (its @leadflow/* paths), from any directory.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..', '..');
const built = join(root, 'dist', 'apps', 'leadctl', 'main.js');
if (existsSync(built)) {
  require(built);
} else {
  process.env.TS_NODE_PROJECT = process.env.TS_NODE_PROJECT || join(root, 'tsconfig.json');
  require('@swc-node/register');
  require('../src/main.ts');
}
