#!/usr/bin/env node
import { startTracing, type Tracing } from '@leadflow/observability';
import { runCli } from './cli';
import { CliError, ExitCode } from './exit-codes';
import { processEnv, tracesEndpoint } from './leadctl.config';

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

/** A tracer when an OTLP endpoint is configured: a replay run is then a span the replayed leads' traces link to. */
function tracing(): Tracing | undefined {
  const endpoint = tracesEndpoint(processEnv());
  // Its exports give up within the shutdown's flush budget: leadctl exits then, whether the backend answered or not.
  return endpoint
    ? startTracing({ serviceName: 'leadctl', otlpEndpoint: endpoint, exportTimeoutMs: 2_000 })
    : undefined;
}

async function main(): Promise<number> {
  let tracer: Tracing | undefined;
  try {
    tracer = tracing();
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    process.stderr.write(`leadctl: ${err.message}\n`);
    return ExitCode.usage;
  }
  try {
    return await runCli(process.argv.slice(2), {
      stdout: process.stdout,
      stderr: process.stderr,
      env: processEnv(),
      readStdin,
      signal: abort.signal,
    });
  } finally {
    // Exports what the command made before the process ends (bounded: an unreachable collector cannot hold it).
    await tracer?.shutdown();
  }
}

void main().then((code) => {
  process.exitCode = code;
});
