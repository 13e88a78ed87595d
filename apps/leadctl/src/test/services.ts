import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { runCli } from '../cli';
import { processEnv } from '../leadctl.config';

const ROOT = resolve(__dirname, '..', '..', '..', '..');

/** A leadflow service started from its production entry point, as the stack starts it. */
export interface Service {
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function startService(entry: string, env: Record<string, string>): Service {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', entry], {
    cwd: ROOT,
    env: { ...processEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (c: Buffer) => {
    tail = (tail + c.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    child,
    output: () => tail,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

/** Polls `url` until it answers 200 (or the service exits). */
export async function waitReady(url: string, service: Service, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) break;
    const ok = await fetch(url).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms: ${service.output()}`);
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout's lines parsed as JSON (for `--json`). */
  json<T = Record<string, unknown>>(): T[];
}

/** Runs leadctl in this process through its public entry (argv in, exit code and output out). */
export async function leadctl(argv: readonly string[], env: Record<string, string>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env,
  });
  return {
    code,
    stdout,
    stderr,
    json: <T>() =>
      stdout
        .split('\n')
        .filter((l) => l.trim().length > 0)
        .map((l) => JSON.parse(l) as T),
  };
}

/** Runs the real executable (`node -r @swc-node/register apps/leadctl/src/main.ts …`). */
export function leadctlProcess(
  argv: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/leadctl/src/main.ts', ...argv], {
      cwd: ROOT,
      env: { ...processEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}
