import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

export interface ChildService {
  readonly child: ChildProcess;
  /** First line the process printed on stdout (servers print their URL). */
  readonly firstLine: Promise<string>;
  /** The last few KB the process printed. */
  output(): string;
  stop(): Promise<void>;
}

/** Runs one of our entry points as its own process, as the stack does: its built program (`./dev bench` builds). */
export function runTs(entry: string, env: Record<string, string>): ChildService {
  // apps/<app>/src/main.ts is built to dist/apps/<app>/main.js (tools/stack/src/build).
  const app = /^apps\/([^/]+)\/src\/main\.ts$/.exec(entry)?.[1];
  const built = app ? `dist/apps/${app}/main.js` : undefined;
  const args = built && existsSync(join(ROOT, built)) ? [built] : ['-r', '@swc-node/register', entry];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Keep the tail of both streams for the error message; reading them also keeps the pipes drained.
  let stderr = '';
  const keep = (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4000);
  };
  child.stderr?.on('data', keep);
  child.stdout?.on('data', keep);
  const firstLine = new Promise<string>((resolveLine, reject) => {
    let buf = '';
    child.stdout?.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl !== -1) resolveLine(buf.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`${entry} exited with ${code}: ${stderr}`)));
  });
  firstLine.catch(() => undefined);
  return {
    child,
    firstLine,
    output: () => stderr,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

/** Polls a URL until it answers 200. */
export async function waitFor200(url: string, timeoutMs = 60_000, service?: ChildService): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service && service.child.exitCode !== null) break;
    const ok = await fetch(url).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms${service ? `; output: ${service.output()}` : ''}`);
}
