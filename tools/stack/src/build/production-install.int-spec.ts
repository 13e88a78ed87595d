import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePorts, waitUntil } from '@leadflow/local-infra';
import { SINK_SERVICES } from '@leadflow/sink-runtime';
import { createTestTopics, testBrokers, testKafka, uniqueName } from '@leadflow/testing';
import { builtPath } from './entries';

/**
 * What the image's runtime stage holds, without Docker: `npm ci --omit=dev` of the lockfile (with the kafkajs patch
 * applied by its postinstall) beside the built dist/. Services started from there must run against the test broker:
 * a dev dependency or an unpatched client would stop them here.
 */
const ROOT = resolve(__dirname, '..', '..', '..', '..');
const keyring = `k1:${Buffer.alloc(32, 3).toString('base64')}`;

async function answers(port: number, path: string): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}${path}`)).status === 200;
  } catch {
    return false;
  }
}

describe('the production install (the image runtime stage, without Docker)', () => {
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    if (!existsSync(join(ROOT, builtPath('apps/router')))) throw new Error('dist/ is missing: run ./dev build first');
    dir = mkdtempSync(join(tmpdir(), 'leadflow-prod-'));
    for (const f of ['package.json', 'package-lock.json', 'patches'])
      cpSync(join(ROOT, f), join(dir, f), { recursive: true });
    const install = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'production' },
    });
    if (install.status !== 0)
      throw new Error(
        `npm ci --omit=dev failed (${install.status}, ${String(install.error)}): ${install.stderr.slice(-3000)}`,
      );
    cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  }, 300_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dir, { recursive: true, force: true });
  });

  it('has no dev dependency installed and the failover-safe kafkajs patched in', () => {
    expect(existsSync(join(dir, 'node_modules', 'esbuild'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules', '@swc-node'))).toBe(false);
    expect(readFileSync(join(dir, 'node_modules/kafkajs/src/producer/sendMessages.js'), 'utf8')).toContain(
      'responsePerTopicPartition',
    );
  });

  it('starts the router and every sink from dist/ against the broker, each ready', async () => {
    const prefix = `${uniqueName('prod')}.`;
    const kafka = testKafka();
    const cleanup = await createTestTopics(
      kafka,
      [
        'leads.ingested',
        'offers.destinations',
        'leads.delivered',
        'leads.dlq.router',
        ...SINK_SERVICES.flatMap((s) => [`leads.route.${s.type}`, `leads.dlq.${s.type}`]),
      ].map((t) => `${prefix}${t}`),
    );
    const free = await freePorts(SINK_SERVICES.length + 1);
    const start = async (name: string, portVariable: string): Promise<number> => {
      const port = free.pop() ?? 0;
      const child = spawn(process.execPath, [builtPath(name)], {
        cwd: dir,
        stdio: 'ignore',
        env: {
          PATH: process.env['PATH'],
          NODE_ENV: 'production',
          KAFKAJS_NO_PARTITIONER_WARNING: '1',
          KAFKA_BROKERS: testBrokers().join(','),
          LEADFLOW_TOPIC_PREFIX: prefix,
          LEADFLOW_SECRET_KEYS: keyring,
          LEADFLOW_LOG_LEVEL: 'warn',
          [portVariable]: String(port),
        },
      });
      children.push(child);
      return port;
    };
    try {
      const ports = [await start('apps/router', 'LEADFLOW_ROUTER_PORT')];
      for (const s of SINK_SERVICES) {
        ports.push(await start(`apps/${s.name}`, `LEADFLOW_${s.name.replace(/-/g, '_').toUpperCase()}_PORT`));
      }
      for (const port of ports) await waitUntil(`ready on ${port}`, () => answers(port, '/readyz'), 60_000, 250);
      expect(children.every((c) => c.exitCode === null)).toBe(true);
    } finally {
      await cleanup();
    }
  }, 120_000);
});
