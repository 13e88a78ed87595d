#!/usr/bin/env node
import { runCli } from './cli';
import { processEnv } from './leadctl.config';

/** Entry point: `node dist/apps/leadctl/main.js <command> …` once built, `./dev leadctl …` or `npx leadctl …`. */
const abort = new AbortController();
// The first Ctrl-C lets a replay finish its current transaction; the second one exits at once.
process.once('SIGINT', () => {
  abort.abort();
  process.once('SIGINT', () => process.exit(130));
});

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: processEnv(),
  readStdin,
  signal: abort.signal,
}).then((code) => {
  process.exitCode = code;
});
