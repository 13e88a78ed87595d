import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ADMIN_TOKEN, startTestIngest, type TestIngest } from '../ingest.int-harness';

/** Installed by tools/schemathesis/setup.sh (`./dev setup`), pinned in tools/schemathesis/requirements.txt. */
const LOCAL = process.env['LEADFLOW_LOCAL_DIR'] ?? resolve(__dirname, '../../../../.local');
const SCHEMATHESIS = join(LOCAL, 'schemathesis', 'bin', 'schemathesis');
/** Seconds of generated requests; SCHEMATHESIS_MAX_TIME overrides (a longer hunt), SCHEMATHESIS_SEED replays a run. */
const MAX_TIME = Number(process.env['SCHEMATHESIS_MAX_TIME'] ?? 60);
const SEED = Number(process.env['SCHEMATHESIS_SEED'] ?? randomInt(1, 2 ** 31));

interface FuzzRun {
  readonly exitCode: number | null;
  readonly output: string;
}

function runSchemathesis(address: string, workDir: string): Promise<FuzzRun> {
  const args = [
    '--no-color',
    'run',
    `${address}/docs`,
    '--url',
    address,
    '--checks',
    'all',
    '--max-time',
    String(MAX_TIME),
    '--seed',
    String(SEED),
    // One worker: with several, Hypothesis' lambda descriptions call Python's ast from threads at once,
    // which CPython 3.11 reports as "AST constructor recursion depth mismatch" (an error of the tool, not
    // of the API) on long runs.
    '--workers',
    '1',
    '--header',
    `Authorization: Bearer ${ADMIN_TOKEN}`,
    '--output-truncate',
    'false',
    '--generation-database',
    'none',
  ];
  return new Promise((done, fail) => {
    // A scratch working directory: Schemathesis may write files (reports, caches) where it runs.
    const child = spawn(SCHEMATHESIS, args, { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('error', fail);
    child.on('close', (exitCode) => done({ exitCode, output }));
  });
}

/** Schemathesis' summary line: `Test cases:` then `N generated, N passed, …`. */
function testCases(output: string): number {
  return Number(/(\d+) generated/.exec(output)?.[1] ?? 0);
}

describe('the served OpenAPI document, fuzzed with Schemathesis against a running ingest', () => {
  let t: TestIngest;
  let address: string;

  beforeAll(async () => {
    t = await startTestIngest({ env: { LEADFLOW_INGEST_PORT: '0' } });
    address = await t.ingest.listen();
  });

  afterAll(async () => {
    await t?.close();
  });

  it(
    'answers every generated request without a server error and accepts every schema-valid one',
    async () => {
      expect(existsSync(SCHEMATHESIS)).toBe(true); // else: ./dev setup (tools/schemathesis/setup.sh)
      const workDir = mkdtempSync(join(tmpdir(), 'leadflow-schemathesis-'));
      try {
        process.stdout.write(`[schemathesis] seed ${SEED}, ${MAX_TIME} s, against ${address}\n`);
        const run = await runSchemathesis(address, workDir);
        const generated = testCases(run.output);
        process.stdout.write(`[schemathesis] seed ${SEED}: exit ${run.exitCode}, ${generated} test cases generated\n`);
        // On failure the whole report (each failure with its curl reproduction; credentials are filtered).
        if (run.exitCode !== 0) process.stdout.write(run.output);
        expect(run.exitCode).toBe(0);
        expect(generated).toBeGreaterThan(100);
      } finally {
        rmSync(workDir, { recursive: true, force: true });
      }
    },
    (MAX_TIME + 120) * 1000,
  );
});
