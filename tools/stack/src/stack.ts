import { join } from 'node:path';
import { isAlive, isPortOpen, pidFile, stopProcessGroup } from '@leadflow/local-infra';
import { components, kafkaBrokers, type Component } from './components';
import type { StackConfig } from './stack.config';
import { conflictMessage, pidFiles, removeRecord, runningStack, writeRecord } from './stack-record';
import { applyStackAcls, stackAdminSecurity } from './kafka-security';
import { createStackTopics } from './topics';

export type ComponentState = 'healthy' | 'unhealthy' | 'stopped';

export interface ComponentStatus {
  readonly name: string;
  readonly port: number;
  readonly pid: number | undefined;
  readonly state: ComponentState;
}

const pidPath = (cfg: StackConfig, c: Component): string => join(cfg.localDir, 'run', `${c.name}.pid`);

export async function componentStatus(cfg: StackConfig, c: Component): Promise<ComponentStatus> {
  const recorded = pidFile.read(pidPath(cfg, c));
  const pid = recorded !== undefined && isAlive(recorded) ? recorded : undefined;
  const state: ComponentState = pid === undefined ? 'stopped' : (await c.healthy(cfg)) ? 'healthy' : 'unhealthy';
  return { name: c.name, port: c.port(cfg), pid, state };
}

export interface UpReport {
  readonly started: string[];
  readonly reused: string[];
  readonly topicsCreated: string[];
}

/** `up` refused: a stack of another layout (one broker or three, other ports) runs in this local folder. */
export class StackLayoutConflict extends Error {}

/**
 * Idempotent: a component whose recorded process is alive and healthy is reused; one that is down is
 * started; one that is alive but unhealthy is restarted. Topics are ensured after Kafka is up. When a stack of
 * another layout runs here, nothing is started: the error says what differs and which command works.
 */
export async function up(cfg: StackConfig, log: (line: string) => void): Promise<UpReport> {
  const running = runningStack(cfg);
  const conflict = running && conflictMessage(running, cfg);
  if (conflict) throw new StackLayoutConflict(conflict);
  writeRecord(cfg);
  const report: UpReport = { started: [], reused: [], topicsCreated: [] };
  const all = components(cfg);
  const lastKafka = all.filter((c) => c.kafka).at(-1);
  for (const c of all) {
    const status = await componentStatus(cfg, c);
    if (status.state === 'healthy') {
      report.reused.push(c.name);
      log(`${c.name}: already running (pid ${status.pid}, port ${status.port})`);
    } else {
      if (status.pid !== undefined) await stopComponent(cfg, c, log);
      // A port held by a process this stack did not start would only show as a failed start in a log file.
      if (await isPortOpen(c.port(cfg), cfg.host)) {
        throw new Error(`${c.name}: port ${c.port(cfg)} is in use by a process ./dev up did not start (ss -ltnp)`);
      }
      const t0 = Date.now();
      const proc = await c.start(cfg);
      pidFile.write(pidPath(cfg, c), proc.pid);
      report.started.push(c.name);
      log(`${c.name}: started (pid ${proc.pid}, port ${c.port(cfg)}) in ${Date.now() - t0} ms`);
    }
    if (c === lastKafka) {
      report.topicsCreated.push(...(await createStackTopics(kafkaBrokers(cfg), stackAdminSecurity(cfg))));
      if (cfg.kafkaSecure) log(`Kafka secured: ${await applyStackAcls(cfg)} ACL entries ensured`);
    }
  }
  if (report.topicsCreated.length > 0) log(`topics created: ${report.topicsCreated.join(', ')}`);
  return report;
}

/** The component named `name` of this stack's configuration. */
export function component(cfg: StackConfig, name: string): Component {
  const c = components(cfg).find((x) => x.name === name);
  if (!c) throw new Error(`no component ${name} in this stack`);
  return c;
}

/** SIGKILLs a running component's process group: a crash, no shutdown hook (what the failover tests do). */
export function killComponent(cfg: StackConfig, name: string): number | undefined {
  const pid = pidFile.read(pidPath(cfg, component(cfg, name)));
  if (pid === undefined || !isAlive(pid)) return undefined;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    process.kill(pid, 'SIGKILL');
  }
  return pid;
}

/** Stops one component gracefully (its stop signal, then SIGKILL after the grace period), as `down` does. */
export async function stopOne(cfg: StackConfig, name: string): Promise<void> {
  await stopComponent(cfg, component(cfg, name), () => undefined);
}

/** Starts one component again (after a kill) and records its pid; resolves once it is healthy. */
export async function startComponent(cfg: StackConfig, name: string): Promise<number> {
  const c = component(cfg, name);
  const proc = await c.start(cfg);
  pidFile.write(pidPath(cfg, c), proc.pid);
  return proc.pid;
}

async function stopComponent(cfg: StackConfig, c: Component, log: (line: string) => void): Promise<void> {
  const path = pidPath(cfg, c);
  const pid = pidFile.read(path);
  if (pid !== undefined && isAlive(pid)) {
    await stopProcessGroup(pid, 20_000, c.stopSignal);
    log(`${c.name}: stopped (pid ${pid})`);
  }
  pidFile.remove(path);
}

/**
 * Stops everything any `up` started in this local folder, whatever this command's environment: the running stack's
 * components in reverse start order, then any other process a pid file names.
 */
export async function down(cfg: StackConfig, log: (line: string) => void): Promise<void> {
  const target = runningStack(cfg) ?? cfg;
  for (const c of components(target).reverse()) await stopComponent(target, c, log);
  for (const p of pidFiles(cfg)) {
    if (p.pid !== undefined) {
      await stopProcessGroup(p.pid, 20_000);
      log(`${p.name}: stopped (pid ${p.pid})`);
    }
    pidFile.remove(p.path);
  }
  removeRecord(cfg);
}

/** Each component of the running stack (or, when none runs, of this command's layout), and any stray pid file's. */
export async function status(cfg: StackConfig): Promise<ComponentStatus[]> {
  const target = runningStack(cfg) ?? cfg;
  const listed = components(target);
  const rows = await Promise.all(listed.map((c) => componentStatus(target, c)));
  const strays = pidFiles(cfg).filter((p) => p.pid !== undefined && !listed.some((c) => c.name === p.name));
  return [...rows, ...strays.map((p) => ({ name: p.name, port: 0, pid: p.pid, state: 'unhealthy' as const }))];
}
