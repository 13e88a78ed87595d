import { join } from 'node:path';
import { isAlive, pidFile, stopProcessGroup } from '@leadflow/local-infra';
import { components, kafkaBrokers, type Component } from './components';
import type { StackConfig } from './stack.config';
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

/**
 * Idempotent: a component whose recorded process is alive and healthy is reused; one that is down is
 * started; one that is alive but unhealthy is restarted. Topics are ensured after Kafka is up.
 */
export async function up(cfg: StackConfig, log: (line: string) => void): Promise<UpReport> {
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

/** Stops everything `up` started, by recorded process id, in reverse start order. */
export async function down(cfg: StackConfig, log: (line: string) => void): Promise<void> {
  // Jaeger and Prometheus too, if an `up --observe` started them (stopping by pid file is a no-op otherwise).
  for (const c of components({ ...cfg, observe: true }).reverse()) await stopComponent(cfg, c, log);
}

export async function status(cfg: StackConfig): Promise<ComponentStatus[]> {
  return Promise.all(components(cfg).map((c) => componentStatus(cfg, c)));
}
