import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CONSOLE_TOKEN, lead, startTestConsole, type TestConsole } from '../test/console-harness';

/** Installed by tools/schemathesis/setup.sh (`./dev setup`), pinned in tools/schemathesis/requirements.txt. */
const LOCAL = process.env['LEADFLOW_LOCAL_DIR'] ?? resolve(__dirname, '../../../../.local');
const SCHEMATHESIS = join(LOCAL, 'schemathesis', 'bin', 'schemathesis');
/** Seconds of generated requests; SCHEMATHESIS_MAX_TIME overrides, SCHEMATHESIS_SEED replays a run. */
const MAX_TIME = Number(process.env['SCHEMATHESIS_MAX_TIME'] ?? 60);
const SEED = Number(process.env['SCHEMATHESIS_SEED'] ?? randomInt(1, 2 ** 31));

function runSchemathesis(address: string, workDir: string): Promise<{ exitCode: number | null; output: string }> {
  const args = [
    '--no-color',
    'run',
    `${address}/docs`,
    '--url',
    address,
    '--checks',
    'all',
    // A filter's cross-field rules cannot be said in JSON Schema: an empty filter needs `all: true`, `since` must be
    // before `until`, and a class must be one of the catalog's. Such requests are schema-valid and answered 400
    // with the field named, which this check would count as a failure. Every other check runs.
    '--exclude-checks',
    'positive_data_acceptance',
    '--max-time',
    String(MAX_TIME),
    '--seed',
    String(SEED),
    // The two event streams never end by design (the live one) or end only after a replay: a request-response
    // fuzzer cannot read them. The browser test and console.int-spec.ts read both.
    '--exclude-path-regex',
    '/events$|^/api/live$',
    // One worker (see apps/ingest/src/http/openapi-fuzz.int-spec.ts: Hypothesis and threads on CPython 3.11).
    '--workers',
    '1',
    '--header',
    `Authorization: Bearer ${CONSOLE_TOKEN}`,
    '--output-truncate',
    'false',
    '--generation-database',
    'none',
  ];
  return new Promise((done, fail) => {
    const child = spawn(SCHEMATHESIS, args, { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('error', fail);
    child.on('close', (exitCode) => done({ exitCode, output }));
  });
}

describe("the console's OpenAPI document, fuzzed with Schemathesis against a running console", () => {
  let t: TestConsole;

  beforeAll(async () => {
    t = await startTestConsole({
      seed: async (w) => {
        const leads = Array.from({ length: 3 }, (_, i) => lead('contoso.fuzz', i));
        await w.ingested(leads);
        await w.deadLetters('https', 'HTTPS.ENDPOINT_REJECTED', leads);
      },
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it(
    'answers every generated request without a server error and as documented',
    async () => {
      expect(existsSync(SCHEMATHESIS)).toBe(true); // else: ./dev setup (tools/schemathesis/setup.sh)
      const workDir = mkdtempSync(join(tmpdir(), 'console-schemathesis-'));
      try {
        process.stdout.write(`[schemathesis] seed ${SEED}, ${MAX_TIME} s, against ${t.address}\n`);
        const run = await runSchemathesis(t.address, workDir);
        const generated = Number(/(\d+) generated/.exec(run.output)?.[1] ?? 0);
        process.stdout.write(`[schemathesis] seed ${SEED}: exit ${run.exitCode}, ${generated} test cases generated\n`);
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
