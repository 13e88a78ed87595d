import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, pidFile } from '@leadflow/local-infra';
import { SINK_SERVICES, sinkPortVariable } from '@leadflow/sink-runtime';
import { readStackConfig, SERVICE_PORT_VARIABLES, type StackConfig } from './stack.config';

/**
 * What `./dev up` records about the stack it starts (.local/run/stack.json), so that `down`, `status` and a later
 * `up` act on the processes that run, not on what the later command's environment describes: a stack started with
 * LEADFLOW_KAFKA_NODES=3 has pid files kafka-1..3, which a plain `./dev down` would otherwise not look for.
 */

export const runDir = (cfg: StackConfig): string => join(cfg.localDir, 'run');
const recordPath = (cfg: StackConfig): string => join(runDir(cfg), 'stack.json');

/** The variables (with their values) that make readStackConfig return this stack's layout. */
export function stackSettings(cfg: StackConfig): Record<string, string> {
  return {
    LEADFLOW_KAFKA_NODES: String(cfg.kafkaNodes),
    LEADFLOW_KAFKA_SECURE: cfg.kafkaMtls ? 'mtls' : cfg.kafkaSecure ? '1' : '0',
    LEADFLOW_HOST: cfg.host,
    LEADFLOW_KAFKA_PORT: String(cfg.kafkaPort),
    LEADFLOW_KAFKA_CONTROLLER_PORT: String(cfg.kafkaControllerPort),
    LEADFLOW_AZURITE_TABLE_PORT: String(cfg.azuritePort),
    LEADFLOW_INGEST_PORT: String(cfg.ingestPort),
    LEADFLOW_ROUTER_PORT: String(cfg.routerPort),
    LEADFLOW_CONSOLE_PORT: String(cfg.consolePort),
    LEADFLOW_RECEIVER_PORT: String(cfg.receiverPort),
    LEADFLOW_SIMULATORS_PORT: String(cfg.simulatorsPort),
    LEADFLOW_NOTIFIER_PORT: String(cfg.notifierPort),
    LEADFLOW_MAILPIT_SMTP_PORT: String(cfg.mailpitSmtpPort),
    LEADFLOW_MAILPIT_HTTP_PORT: String(cfg.mailpitHttpPort),
    ...Object.fromEntries(SINK_SERVICES.map((s) => [sinkPortVariable(s.name), String(cfg.sinkPorts[s.name])])),
    ...Object.fromEntries(Object.entries(cfg.simulatorPorts).map(([n, p]) => [`LEADFLOW_SIM_${n}_PORT`, String(p)])),
  };
}

/** Every variable of the stack's layout (a port variable added to stack.config must be recorded too). */
export const STACK_LAYOUT_VARIABLES: readonly string[] = [
  'LEADFLOW_KAFKA_NODES',
  'LEADFLOW_KAFKA_SECURE',
  'LEADFLOW_HOST',
  'LEADFLOW_KAFKA_PORT',
  'LEADFLOW_KAFKA_CONTROLLER_PORT',
  ...SERVICE_PORT_VARIABLES,
];

/**
 * The settings of the running stack that this command's differ from, as `NAME=value` of the running one; empty when
 * the layouts agree. Where processes run from (dist/ or source) is not part of the layout.
 */
export function layoutDifferences(running: StackConfig, asked: StackConfig): string[] {
  const a = stackSettings(running);
  const b = stackSettings(asked);
  return Object.keys(a)
    .filter((k) => a[k] !== b[k])
    .map((k) => `${k}=${a[k]}`);
}

const describeKafka = (cfg: StackConfig): string =>
  cfg.kafkaNodes === 1 ? 'one Kafka broker' : `a ${cfg.kafkaNodes}-node Kafka cluster`;

/** What `up` says when a stack of another layout runs: what differs, and the two commands that work. */
export function conflictMessage(running: StackConfig, asked: StackConfig): string | undefined {
  const diff = layoutDifferences(running, asked);
  if (diff.length === 0) return undefined;
  const what =
    running.kafkaNodes !== asked.kafkaNodes
      ? `the running stack has ${describeKafka(running)}; this command asks for ${describeKafka(asked)}`
      : `the running stack was started with other settings (${diff.join(', ')})`;
  return [
    `${what}. Nothing was started.`,
    `  to bring back its stopped services: ${diff.join(' ')} ./dev up`,
    `  to change it: ./dev down, then ./dev up with the settings you want`,
  ].join('\n');
}

export function writeRecord(cfg: StackConfig): void {
  mkdirSync(runDir(cfg), { recursive: true });
  writeFileSync(recordPath(cfg), `${JSON.stringify({ settings: stackSettings(cfg) }, null, 2)}\n`);
}

export function removeRecord(cfg: StackConfig): void {
  rmSync(recordPath(cfg), { force: true });
}

/** Every pid file any `up` wrote in this local folder, by component name, with its pid when that process runs. */
export function pidFiles(cfg: StackConfig): { name: string; path: string; pid: number | undefined }[] {
  const dir = runDir(cfg);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pid'))
    .map((f) => {
      const path = join(dir, f);
      const pid = pidFile.read(path);
      return { name: f.slice(0, -'.pid'.length), path, pid: pid !== undefined && isAlive(pid) ? pid : undefined };
    });
}

/**
 * The layout of the stack whose processes run in this local folder, or undefined when none runs. Read from the record
 * `up` wrote; a stack started before records existed is recognised by its Kafka pid files (kafka-1 means a cluster).
 */
export function runningStack(cfg: StackConfig): StackConfig | undefined {
  const alive = pidFiles(cfg).filter((p) => p.pid !== undefined);
  if (alive.length === 0) return undefined;
  const keep = { LEADFLOW_LOCAL_DIR: cfg.localDir, LEADFLOW_RUN_FROM_SOURCE: cfg.runFromSource ? '1' : '' };
  if (existsSync(recordPath(cfg))) {
    try {
      const { settings } = JSON.parse(readFileSync(recordPath(cfg), 'utf8')) as { settings: Record<string, string> };
      return readStackConfig({ ...settings, ...keep });
    } catch {
      // unreadable: fall back to the pid files below
    }
  }
  const cluster = pidFiles(cfg).some((p) => /^kafka-\d+$/.test(p.name));
  return readStackConfig({ ...stackSettings(cfg), LEADFLOW_KAFKA_NODES: cluster ? '3' : '1', ...keep });
}
