import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import {
  AZURITE_STOP_SIGNAL,
  azuriteAnswers,
  extraCaBundle,
  generateTls,
  kafkaAnswers,
  mailpitAnswers,
  mailpitTlsFiles,
  prepareKafkaSecurity,
  probeSecurity,
  readTls,
  spawnLogged,
  startAzurite,
  startKafkaNode,
  startMailpit,
  waitForKafka,
  waitUntil,
  writeTls,
  type KafkaClusterOptions,
  type SpawnedProcess,
} from '@leadflow/local-infra';
import { PRINCIPALS } from '@leadflow/kafka';
import { SINK_SERVICES, sinkPortVariable, type SinkName, type SinkService } from '@leadflow/sink-runtime';
import { builtPath, entries } from './build/entries';
import { ingestIdentityEnv } from './identity';
import { jaegerComponent, observeEnv, prometheusComponent } from './observe/observe-components';
import { kafkaClientEnv, stackKafkaSecurity } from './kafka-security';
import { kafkaBrokers, kafkaNodePorts, type StackConfig } from './stack.config';

export { kafkaBrokers } from './stack.config';

/** One process of the local stack. `./dev up` starts them in order, `down` stops them in reverse. */
export interface Component {
  readonly name: string;
  readonly port: (cfg: StackConfig) => number;
  /** Starts the process and resolves once it is healthy. */
  readonly start: (cfg: StackConfig) => Promise<SpawnedProcess>;
  readonly healthy: (cfg: StackConfig) => Promise<boolean>;
  /** The last component of a group that must be up before what follows (Kafka: the topics are created after). */
  readonly kafka?: true;
  /** The signal its shutdown hook listens for, when not SIGTERM. */
  readonly stopSignal?: NodeJS.Signals;
}

function clusterOptions(cfg: StackConfig): KafkaClusterOptions {
  const security = stackKafkaSecurity(cfg);
  const folder = cfg.kafkaNodes === 1 ? 'broker' : 'cluster';
  return {
    libsDir: join(cfg.localDir, 'kafka', 'libs'),
    log4jConfig: join(cfg.root, 'tools', 'kafka', 'log4j2.properties'),
    // The single broker keeps the folder of earlier versions; a cluster lives beside it; secured ones apart.
    dataDir: join(cfg.localDir, 'kafka', security ? `secure-${folder}` : folder),
    host: cfg.host,
    nodes: Array.from({ length: cfg.kafkaNodes }, (_, i) => ({ id: i + 1, ...kafkaNodePorts(cfg, i + 1) })),
    detached: true,
    ...(security ? { security } : {}),
  };
}

/**
 * Kafka node `id`. Every node is started before any is waited for (a broker port opens once a majority of the
 * controllers runs); the last one waits for the whole cluster, so what follows finds every node answering.
 */
function kafkaNode(id: number, of: number): Component {
  return {
    name: of === 1 ? 'kafka' : `kafka-${id}`,
    kafka: true,
    port: (cfg) => kafkaNodePorts(cfg, id).port,
    healthy: async (cfg) => {
      let security;
      try {
        security = probeSecurity(clusterOptions(cfg));
      } catch {
        return false; // a secured node whose CA or admin password is not there yet
      }
      return kafkaAnswers(`${cfg.host}:${kafkaNodePorts(cfg, id).port}`, 1_000, cfg.kafkaNodes, security);
    },
    start: async (cfg) => {
      const o = clusterOptions(cfg);
      if (o.security) await prepareKafkaSecurity(o.security, o.host);
      const proc = startKafkaNode(o, id);
      if (id === of) {
        try {
          await waitForKafka(kafkaBrokers(cfg), cfg.kafkaNodes, 60_000, probeSecurity(o));
        } catch (err) {
          throw new Error(`${(err as Error).message}; see ${join(cfg.localDir, 'kafka')}/**/broker.log`);
        }
      }
      return proc;
    },
  };
}

const azurite: Component = {
  name: 'azurite',
  stopSignal: AZURITE_STOP_SIGNAL,
  port: (cfg) => cfg.azuritePort,
  healthy: (cfg) => azuriteAnswers(cfg.host, cfg.azuritePort),
  start: (cfg) =>
    startAzurite({
      host: cfg.host,
      port: cfg.azuritePort,
      location: join(cfg.localDir, 'azurite'),
      logFile: join(cfg.localDir, 'logs', 'azurite.log'),
      detached: true,
    }),
};

/**
 * Mailpit, the local SMTP server with a web UI (http://127.0.0.1:8025): the notifier's notices land there. STARTTLS
 * is required (the stack's CA signs its certificate) and any user name and password is accepted, so the notifier
 * runs its production path. Its mail is kept in .local/mailpit.
 */
const mailpit: Component = {
  name: 'mailpit',
  port: (cfg) => cfg.mailpitHttpPort,
  healthy: (cfg) => mailpitAnswers(cfg.host, cfg.mailpitHttpPort),
  start: async (cfg) => {
    await ensureSimulatorTls(cfg);
    return startMailpit({
      host: cfg.host,
      smtpPort: cfg.mailpitSmtpPort,
      httpPort: cfg.mailpitHttpPort,
      database: join(cfg.localDir, 'mailpit', 'mailpit.db'),
      logFile: join(cfg.localDir, 'logs', 'mailpit.log'),
      detached: true,
      tls: mailpitTlsFiles(simulatorTlsDir(cfg)),
    });
  },
};

/** Development-only SMTP credentials of the local stack (Mailpit accepts any). */
export const DEV_SMTP = { user: 'leadflow-notifier', password: 'dev-smtp-password' } as const;

/** The notifier: e-mails publishers' contacts through Mailpit; digests per minute in the local stack. */
function notifier(): Component {
  return nodeService({
    name: 'notifier',
    entry: 'apps/notifier/src/main.ts',
    port: (c) => c.notifierPort,
    kafkaUser: PRINCIPALS.notifier,
    env: (c) => ({
      LEADFLOW_NOTIFIER_PORT: String(c.notifierPort),
      LEADFLOW_INSTANCE_ID: 'notifier-0',
      LEADFLOW_SMTP_HOST: c.host,
      LEADFLOW_SMTP_PORT: String(c.mailpitSmtpPort),
      LEADFLOW_SMTP_SECURITY: 'starttls',
      LEADFLOW_SMTP_USER: DEV_SMTP.user,
      LEADFLOW_SMTP_PASSWORD: DEV_SMTP.password,
      NODE_EXTRA_CA_CERTS: extraCaBundle(simulatorTlsDir(c), process.env['NODE_EXTRA_CA_CERTS']),
      LEADFLOW_NOTIFIER_FROM: 'leads@leadflow.localhost',
      LEADFLOW_NOTIFIER_UNSUBSCRIBE_URL: 'mailto:unsubscribe@leadflow.localhost?subject=unsubscribe%20{offerId}',
      LEADFLOW_NOTIFIER_DIGEST_WINDOW_MS: '60000',
      LEADFLOW_NOTIFIER_DIGEST_GRACE_MS: '2000',
      LEADFLOW_NOTIFIER_AUTO_REPLAY_SETTLE_MS: '5000',
      LEADFLOW_NOTIFIER_REPLAY_HINT: './dev leadctl dlq replay --offer {offerId}',
    }),
  });
}

/** GET http://host:port/path answers 200. */
function httpOk(host: string, port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

export interface NodeServiceSpec {
  readonly name: string;
  /**
   * TypeScript entry point. The stack runs its built program (`./dev build`: dist/, no transpiler in memory), or
   * the source through SWC's register hook when LEADFLOW_RUN_FROM_SOURCE=1.
   */
  readonly entry: string;
  readonly port: (cfg: StackConfig) => number;
  /** Environment of the service beyond the shared one (brokers, log level, dev secrets). */
  readonly env?: (cfg: StackConfig) => Record<string, string>;
  /** Health path answering 200 once ready. */
  readonly readyPath?: string;
  /** Runs before the process starts (e.g. making the simulators' certificates). */
  readonly prepare?: (cfg: StackConfig) => Promise<void>;
  /** The Kafka principal it connects as on the secured stack (`LEADFLOW_KAFKA_SECURE=1`). */
  readonly kafkaUser?: string;
}

/**
 * Development-only secrets of the local stack (documented in the README; never used elsewhere).
 * The key is 32 bytes of base64 for AES-256-GCM.
 */
export const DEV_ENV = {
  LEADFLOW_INGEST_TOKENS: 'dev-ingest-token',
  LEADFLOW_ADMIN_TOKENS: 'dev-admin-token',
  LEADFLOW_SECRET_KEYS: 'dev1:ZGV2LW9ubHkta2V5LWZvci1sZWFkZmxvdy1sb2NhbCE=',
  LEADFLOW_URL_SIGNING_KEY: 'dev-url-signing-key',
} as const;

/**
 * The heap every service of ours runs with (the Dockerfile sets the same). A service holds about 35 MB of live heap
 * under 500 leads/s (measured on ingest); V8's default limit on a large machine lets the heap grow to hundreds of MB
 * of garbage before collecting it, so RSS would follow the machine's size instead of the service's needs.
 */
export const SERVICE_HEAP = '--max-old-space-size=160 --max-semi-space-size=16';

/** The console's heap: its index is its working set (docs/console.md); `./dev bench console` runs it with this. */
export const CONSOLE_HEAP = '--max-old-space-size=200 --max-semi-space-size=8';
/** glibc's `MALLOC_ARENA_MAX` for the console (see its component). */
export const CONSOLE_MALLOC_ARENA_MAX = '2';

/** The local stack's console token (development only), named `analyst`: the console shows it as who replayed. */
export const DEV_CONSOLE_TOKEN = 'dev-console-token';

/** The signing secret of the demo's https destination, shared with the demo receiver. */
export const DEMO_SIGNING_SECRET = 'demo-signing-secret-0123456789';

/** The simulators' CA and certificate, made once per local folder; the sinks trust the CA (NODE_EXTRA_CA_CERTS). */
export const simulatorTlsDir = (cfg: StackConfig): string => join(cfg.localDir, 'simulators', 'tls');

async function ensureSimulatorTls(cfg: StackConfig): Promise<void> {
  const dir = simulatorTlsDir(cfg);
  if (existsSync(join(dir, 'ca.pem'))) {
    try {
      readTls(dir);
      return;
    } catch {
      // unreadable: make a new one below
    }
  }
  writeTls(dir, await generateTls([cfg.host, 'localhost'], 365));
}

/** How a process of ours starts: its built program by default, its TypeScript source on request. */
export function programArgs(cfg: StackConfig, source: string): string[] {
  if (cfg.runFromSource) return ['-r', '@swc-node/register', source];
  const entry = entries(cfg.root).find((e) => e.source === source);
  if (!entry) throw new Error(`${source} is not an entry point of tools/build`);
  const built = join(cfg.root, builtPath(entry.name));
  if (!existsSync(built)) throw new Error(`${built} is missing: run ./dev build (./dev up does)`);
  return [built];
}

/** A leadflow service or simulator of ours, as a component of the local stack. */
export function nodeService(spec: NodeServiceSpec): Component {
  const readyPath = spec.readyPath ?? '/readyz';
  return {
    name: spec.name,
    port: spec.port,
    healthy: (cfg) => httpOk(cfg.host, spec.port(cfg), readyPath),
    start: async (cfg) => {
      await spec.prepare?.(cfg);
      const proc = spawnLogged({
        command: process.execPath,
        args: programArgs(cfg, spec.entry),
        cwd: cfg.root,
        env: {
          ...process.env,
          NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} ${SERVICE_HEAP}`.trim(),
          KAFKA_BROKERS: kafkaBrokers(cfg),
          LEADFLOW_HOST: cfg.host,
          ...DEV_ENV,
          ...(spec.kafkaUser ? kafkaClientEnv(cfg, spec.kafkaUser) : {}),
          ...(spec.env ? spec.env(cfg) : {}),
          ...observeEnv(cfg),
        },
        logFile: join(cfg.localDir, 'logs', `${spec.name}.log`),
        detached: true,
      });
      try {
        await waitUntil(
          `${spec.name} on port ${spec.port(cfg)}`,
          () => httpOk(cfg.host, spec.port(cfg), readyPath),
          60_000,
          200,
        );
      } catch (err) {
        await proc.stop(5_000);
        throw new Error(`${(err as Error).message}; see ${join(cfg.localDir, 'logs', `${spec.name}.log`)}`);
      }
      return proc;
    },
  };
}

/** What the local stack adds to a sink's environment beyond the common one. */
const SINK_STACK_ENV: Partial<Record<SinkName, Record<string, string>>> = {
  // The local stack delivers to the demo receiver on loopback; production allows public addresses only.
  'https-sink': { LEADFLOW_HTTPS_ALLOW: 'loopback' },
};

/**
 * Sink `s` as a component of the stack. `extra` makes another process of the same service (`./dev chaos` scales sinks
 * with it): its own name (`table-sink-1`: pid file, log file), ops port and instance id, the same consumer group.
 */
export function sinkComponent(s: SinkService, extra?: { readonly instance: number; readonly port: number }): Component {
  const name = extra ? `${s.name}-${extra.instance}` : s.name;
  return nodeService({
    name,
    entry: `apps/${s.name}/src/main.ts`,
    port: (c) => extra?.port ?? c.sinkPorts[s.name],
    kafkaUser: s.name,
    env: (c) => ({
      [sinkPortVariable(s.name)]: String(extra?.port ?? c.sinkPorts[s.name]),
      LEADFLOW_INSTANCE_ID: `${s.name}-${extra?.instance ?? 0}`,
      NODE_EXTRA_CA_CERTS: extraCaBundle(simulatorTlsDir(c), process.env['NODE_EXTRA_CA_CERTS']),
      ...SINK_STACK_ENV[s.name],
    }),
  });
}

/** Every sink of the catalog whose app exists in this checkout, each on its catalog port. */
function sinkComponents(cfg: StackConfig): Component[] {
  return SINK_SERVICES.filter((s) => existsSync(join(cfg.root, 'apps', s.name, 'src', 'main.ts'))).map((s) =>
    sinkComponent(s),
  );
}

/** The stack, in start order. A sink joins through the sink catalog; a CRM simulator through the simulators'. */
export function components(cfg: StackConfig): Component[] {
  return [
    ...Array.from({ length: cfg.kafkaNodes }, (_, i) => kafkaNode(i + 1, cfg.kafkaNodes)),
    azurite,
    ...(cfg.observe ? [jaegerComponent] : []),
    mailpit,
    nodeService({
      name: 'ingest',
      entry: 'apps/ingest/src/main.ts',
      port: (c) => c.ingestPort,
      // Ingest fetches the local OIDC issuer's keys over HTTPS: it trusts the simulators' CA, made before it starts.
      prepare: ensureSimulatorTls,
      kafkaUser: PRINCIPALS.ingest,
      env: (c) => ({
        LEADFLOW_INGEST_PORT: String(c.ingestPort),
        LEADFLOW_PUBLIC_URL: `http://${c.host}:${c.ingestPort}`,
        NODE_EXTRA_CA_CERTS: extraCaBundle(simulatorTlsDir(c), process.env['NODE_EXTRA_CA_CERTS']),
        ...ingestIdentityEnv(c),
      }),
    }),
    // The demo's HTTPS endpoint: plays a publisher's receiver for the https sink and verifies signatures.
    nodeService({
      name: 'receiver',
      entry: 'tools/stack/src/receiver/main.ts',
      port: (c) => c.receiverPort,
      env: (c) => ({ LEADFLOW_RECEIVER_PORT: String(c.receiverPort), LEADFLOW_RECEIVER_SECRET: DEMO_SIGNING_SECRET }),
    }),
    // Dataverse and Entra ID, Salesforce, Marketo: simulators speaking their wire formats over HTTPS.
    nodeService({
      name: 'simulators',
      entry: 'libs/simulators/src/main.ts',
      port: (c) => c.simulatorsPort,
      readyPath: '/healthz',
      prepare: ensureSimulatorTls,
      env: (c) => ({
        LEADFLOW_SIM_TLS_DIR: simulatorTlsDir(c),
        LEADFLOW_SIMULATORS_PORT: String(c.simulatorsPort),
        ...Object.fromEntries(Object.entries(c.simulatorPorts).map(([n, p]) => [`LEADFLOW_SIM_${n}_PORT`, String(p)])),
      }),
    }),
    nodeService({
      name: 'router',
      entry: 'apps/router/src/main.ts',
      port: (c) => c.routerPort,
      kafkaUser: PRINCIPALS.router,
      env: (c) => ({ LEADFLOW_ROUTER_PORT: String(c.routerPort), LEADFLOW_INSTANCE_ID: 'router-0' }),
    }),
    ...sinkComponents(cfg),
    // The analysts' and publishers' console: reads every topic into its index, serves its page and API.
    nodeService({
      name: 'console',
      entry: 'apps/console/src/main.ts',
      port: (c) => c.consolePort,
      // Like ingest, it verifies the local OIDC issuer's tokens (and the dev publisher and analyst tokens) by roles.
      prepare: ensureSimulatorTls,
      kafkaUser: PRINCIPALS.console,
      env: (c) => ({
        LEADFLOW_CONSOLE_PORT: String(c.consolePort),
        LEADFLOW_CONSOLE_TOKENS: `analyst=${DEV_CONSOLE_TOKEN}`,
        NODE_EXTRA_CA_CERTS: extraCaBundle(simulatorTlsDir(c), process.env['NODE_EXTRA_CA_CERTS']),
        ...ingestIdentityEnv(c),
        LEADFLOW_CONSOLE_PUBLIC_URL: `http://${c.host}:${c.consolePort}`,
        // Its index is its working set (docs/console.md): a larger heap than the other services'.
        NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} ${CONSOLE_HEAP}`.trim(),
        // Two glibc malloc arenas instead of one per thread: the catch-up read's buffers come from the libuv and V8
        // threads' arenas, which kept freed memory resident (`./dev bench console`: peak RSS 249 → 239 MB).
        MALLOC_ARENA_MAX: CONSOLE_MALLOC_ARENA_MAX,
      }),
    }),
    notifier(),
    ...(cfg.observe ? [prometheusComponent] : []),
  ];
}
