import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

/**
 * The heap bound the stack and the image give every service (`tools/stack/src/components.ts`, `Dockerfile`): without
 * it V8 sizes the heap from the host's memory and lets garbage grow RSS past 400 MB.
 */
export const SERVICE_HEAP = '--max-old-space-size=160 --max-semi-space-size=16';

/** The console's heap bound in MB, as the stack gives it (`CONSOLE_HEAP` in `tools/stack/src/components.ts`). */
export const CONSOLE_HEAP_MB = 200;
/** The console's glibc malloc arenas, as the stack gives them (`CONSOLE_MALLOC_ARENA_MAX` in components.ts). */
export const CONSOLE_MALLOC_ARENA_MAX = '2';

/**
 * Runs one of our entry points as its own process, as the stack does: its built program (`./dev bench` builds), with
 * the service heap unless `env` sets NODE_OPTIONS itself. `nodeOptions` come after the heap (a profiler, a preload,
 * another heap: a later flag wins).
 */
export function runTs(entry: string, env: Record<string, string>, nodeOptions = ''): ChildService {
  // apps/<app>/src/main.ts is built to dist/apps/<app>/main.js (tools/stack/src/build).
  const app = /^apps\/([^/]+)\/src\/main\.ts$/.exec(entry)?.[1];
  const built = app ? `dist/apps/${app}/main.js` : undefined;
  const args = built && existsSync(join(ROOT, built)) ? [built] : ['-r', '@swc-node/register', entry];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} ${SERVICE_HEAP} ${nodeOptions}`.trim(),
      ...env,
    },
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
        // Exited already, by itself or by a signal (a killed child has no exit code, only a signal code).
        if (child.exitCode !== null || child.signalCode !== null) return done();
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

/** Resident set size of a process in MB, from /proc (NaN once it is gone). */
export function rssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Samples a process's RSS twice a second until stopped; `stop()` gives the peak in MB. */
export function samplePeakRss(pid: number | undefined): { stop(): number } {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    const now = rssMb(pid);
    if (now > peak || Number.isNaN(peak)) peak = now;
  }, 500);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

let clockTicks: number | undefined;

/**
 * CPU seconds (user + system, every thread) a process has used so far, from /proc/<pid>/stat; NaN once it is gone.
 * Unlike wall time, this is the process's own cost, so it holds when other processes share the cores.
 */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, inside parentheses): utime is the 14th, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds of several processes, by name, between `start()` and `stop()`. */
export function cpuMeter(pids: Readonly<Record<string, number | undefined>>): {
  stop(): Record<string, number>;
} {
  const at = Object.fromEntries(Object.entries(pids).map(([n, pid]) => [n, cpuSeconds(pid)]));
  return {
    stop: () => Object.fromEntries(Object.entries(pids).map(([n, pid]) => [n, cpuSeconds(pid) - (at[n] ?? 0)])),
  };
}

/**
 * How busy the whole machine was between `start` and `stop`, as a fraction of all its cores (/proc/stat): a figure
 * taken with the machine near 1 was bound by CPU, whatever the code under test does.
 */
export function machineBusy(): { stop(): number } {
  const read = (): { busy: number; all: number } => {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    const all = cpu.reduce((a, b) => a + b, 0);
    // idle and iowait
    return { busy: all - (cpu[3] ?? 0) - (cpu[4] ?? 0), all };
  };
  const a = read();
  return {
    stop: () => {
      const b = read();
      return (b.busy - a.busy) / Math.max(1, b.all - a.all);
    },
  };
}
