#!/usr/bin/env node
// `npx leadctl` / the package's `bin`: runs the TypeScript entry point through SWC with the repository's
// tsconfig (its @leadflow/* paths), from any working directory.
const { join } = require('node:path');
process.env.TS_NODE_PROJECT = process.env.TS_NODE_PROJECT || join(__dirname, '..', '..', '..', 'tsconfig.json');
require('@swc-node/register');
require('../src/main.ts');
