import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SpawnedProcess {
  readonly pid: number;
  /** Signals the process group to stop (SIGTERM unless spawned with another), waits up to `graceMs`, then SIGKILLs it. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Survive the parent (for `./dev up`); otherwise the child dies with the test run. */
  readonly detached: boolean;
  /** The signal its shutdown hook listens for; SIGTERM by default. */
  readonly stopSignal?: NodeJS.Signals;
}

/**
 * Starts a process in its own process group with stdout and stderr appended to a log file, so that
 * stopping it (by group) also stops whatever it started and nothing is left behind.
 */
export function spawnLogged(opts: SpawnOptions): SpawnedProcess {
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const fd = openSync(opts.logFile, 'a');
  const child = spawn(opts.command, [...opts.args], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${opts.command}`);
  if (opts.detached) child.unref();
  const pid = child.pid;
  return { pid, stop: (graceMs?: number) => stopProcessGroup(pid, graceMs, opts.stopSignal) };
}

/**
 * True while a process with this pid runs. Signal 0 checks existence; a zombie (exited, not yet reaped,
 * as happens to orphans in containers without an init) counts as gone.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; the command may contain spaces or parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // not Linux, or it vanished between the two checks: kill(0) said it existed
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/**
 * The stop signal first (SIGTERM: Kafka and our services have shutdown hooks for it; Azurite's is SIGINT), SIGKILL
 * after the grace period.
 */
export async function stopProcessGroup(
  pid: number,
  graceMs = 15_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (!isAlive(pid)) return;
  signalGroup(pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) {
    signalGroup(pid, 'SIGKILL');
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 20));
  }
  // Members of the group that outlived its leader (a child that ignored SIGTERM) do not survive it.
  // Only the group is signalled here: the leader's pid itself may already belong to someone else.
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* the group is gone */
  }
}

/** Pid files: `./dev down` stops exactly what `./dev up` started, by process id. */
export const pidFile = {
  read(path: string): number | undefined {
    if (!existsSync(path)) return undefined;
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  },
  write(path: string, pid: number): void {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${pid}\n`);
  },
  remove(path: string): void {
    rmSync(path, { force: true });
  },
};
