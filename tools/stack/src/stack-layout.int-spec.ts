import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freePorts, isAlive, isPortOpen } from '@leadflow/local-infra';
import { readStackConfig, SERVICE_PORT_VARIABLES } from './stack.config';
import { down, status, up } from './stack';
import { pidFiles } from './stack-record';
import { takeStackTurn } from './test/one-stack-at-a-time';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * What a new user did: `LEADFLOW_KAFKA_NODES=3 ./dev up`, then a plain `./dev up` to bring back a crashed service,
 * then a plain `./dev down`. The later commands run without LEADFLOW_KAFKA_NODES, through the CLI as `./dev` runs it,
 * and must act on the cluster that runs.
 */
describe('the local stack remembers what it started', () => {
  takeStackTurn();
  let dir: string;
  let env: Record<string, string>;
  const lines: string[] = [];
  const log = (l = '') => void lines.push(l);
  const cli = (command: string) =>
    spawnSync(process.execPath, ['-r', '@swc-node/register', 'tools/stack/src/cli.ts', command], {
      cwd: ROOT,
      env: { ...process.env, LEADFLOW_KAFKA_NODES: '', ...env },
      encoding: 'utf8',
      timeout: 120_000,
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadflow-layout-'));
    mkdirSync(join(dir, 'kafka'), { recursive: true });
    symlinkSync(join(ROOT, '.local', 'kafka', 'libs'), join(dir, 'kafka', 'libs'));
    const ports = await freePorts(SERVICE_PORT_VARIABLES.length);
    env = {
      LEADFLOW_LOCAL_DIR: dir,
      ...Object.fromEntries(SERVICE_PORT_VARIABLES.map((n, i) => [n, String(ports[i])])),
    };
    // The cluster lays node n on kafkaPort + 2(n-1) and the controller one above: six consecutive free ports.
    let base = 0;
    while (base === 0) {
      const p = await freePort();
      const run = Array.from({ length: 6 }, (_, i) => p + i);
      const taken = await Promise.all(run.map((q) => isPortOpen(q)));
      if (run.every((q, i) => !taken[i] && !ports.includes(q) && q < 65536)) base = p;
    }
    env['LEADFLOW_KAFKA_PORT'] = String(base);
    env['LEADFLOW_KAFKA_CONTROLLER_PORT'] = String(base + 1);
  });

  afterAll(async () => {
    await down(readStackConfig(env), log).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('LEADFLOW_KAFKA_NODES=3 up, plain up, plain down: the second up refuses and names the command, down leaves nothing', async () => {
    const cluster = readStackConfig({ ...env, LEADFLOW_KAFKA_NODES: '3' });
    const started = await up(cluster, log);
    expect(started.started).toEqual(expect.arrayContaining(['kafka-1', 'kafka-2', 'kafka-3', 'ingest']));
    const pids = (await status(cluster)).map((c) => c.pid);
    expect(pids.every((p) => p !== undefined)).toBe(true);

    const plainUp = cli('up');
    expect(plainUp.status).toBe(1);
    expect(plainUp.stderr).toContain('the running stack has a 3-node Kafka cluster; this command asks for one Kafka');
    expect(plainUp.stderr).toContain('LEADFLOW_KAFKA_NODES=3 ./dev up');
    // Nothing was started or stopped by it.
    expect((await status(cluster)).map((c) => c.pid)).toEqual(pids);

    const plainStatus = cli('status');
    expect(plainStatus.status).toBe(0);
    expect(plainStatus.stdout).toMatch(/kafka-3\s+\d+\s+\d+\s+healthy/);

    const plainDown = cli('down');
    expect(plainDown.status).toBe(0);
    expect(plainDown.stdout).toContain('kafka-1: stopped');
    for (const pid of pids) expect(isAlive(pid as number)).toBe(false);
    expect(pidFiles(cluster)).toEqual([]);
  }, 300_000);
});
