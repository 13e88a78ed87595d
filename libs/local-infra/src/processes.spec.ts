import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, pidFile, spawnLogged } from './index';

describe('spawnLogged / stop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-proc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('logs to a file and stops the whole process group, children included', async () => {
    const log = join(dir, 'p.log');
    // A shell that starts a grandchild which ignores nothing: both must be gone after stop().
    const proc = spawnLogged({
      command: 'bash',
      args: ['-c', 'echo started; sleep 300 & echo "child $!"; wait'],
      logFile: log,
      detached: false,
    });
    let child = 0;
    for (let i = 0; i < 100 && child === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const m = /child (\d+)/.exec(readFileSync(log, 'utf8'));
      if (m?.[1]) child = Number(m[1]);
    }
    expect(child).toBeGreaterThan(0);
    expect(isAlive(proc.pid) && isAlive(child)).toBe(true);
    await proc.stop(2_000);
    expect(isAlive(proc.pid)).toBe(false);
    for (let i = 0; i < 50 && isAlive(child); i++) await new Promise((r) => setTimeout(r, 20));
    expect(isAlive(child)).toBe(false);
    expect(readFileSync(log, 'utf8')).toContain('started');
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const proc = spawnLogged({
      command: 'bash',
      args: ['-c', "trap '' TERM; while true; do sleep 0.05; done"],
      logFile: join(dir, 'k.log'),
      detached: false,
    });
    await new Promise((r) => setTimeout(r, 100));
    await proc.stop(300);
    expect(isAlive(proc.pid)).toBe(false);
  });

  it('keeps pid files', () => {
    const f = join(dir, 'run', 'x.pid');
    expect(pidFile.read(f)).toBeUndefined();
    pidFile.write(f, 4242);
    expect(pidFile.read(f)).toBe(4242);
    pidFile.remove(f);
    expect(pidFile.read(f)).toBeUndefined();
  });
});
