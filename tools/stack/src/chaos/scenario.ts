import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { azuriteConnectionString, freePorts, isPortOpen } from '@leadflow/local-infra';
import { SALESFORCE_SCENARIOS } from '@leadflow/simulators';
import { DEMO_SIGNING_SECRET, DEV_ENV } from '../components';
import { IngestClient } from '../demo/ingest-client';
import { readStackConfig, SERVICE_PORT_VARIABLES, type StackConfig } from '../stack.config';
import { down, up } from '../stack';
import { judge, tally, type Verdict } from './count';
import type { Accepted } from './load';

/**
 * The offers the failover runs feed: the HTTPS receiver, Azure Table and Salesforce (idempotent on the lead id). Route
 * records are keyed by offer id, so the table and Salesforce leads are spread over four offers each: on four and three
 * of the route topics' six partitions, so that an instance added by the scale phase gets partitions with leads.
 */
export const CHAOS_OFFERS = [
  'chaos.https',
  ...(['', '.2', '.3', '.4'] as const).flatMap((n) => [`chaos.table${n}`, `chaos.salesforce${n}`] as const),
] as const;
export const CHAOS_TABLE = 'ChaosLeads';

export interface ChaosStack {
  readonly cfg: StackConfig;
  /** The stack's own folder: data, logs (`logs/`), pid files. */
  readonly dir: string;
  readonly ingest: IngestClient;
  /** Counts at the destinations until every accepted lead is settled (or the deadline), then judges. */
  settle(accepted: readonly Accepted[], timeoutMs: number): Promise<Verdict>;
  /** Stops everything; the folder (logs, data) is removed unless `keep` (a failed run, to investigate). */
  close(opts?: { keep?: boolean }): Promise<void>;
}

/**
 * A whole local stack on a 3-node cluster, in a folder and on ports of its own (beside anything else running):
 * every service from dist/, the receiver and the simulators, and the chaos offers configured.
 */
export async function chaosStack(log: (line: string) => void): Promise<ChaosStack> {
  const root = resolve(__dirname, '..', '..', '..', '..');
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-chaos-'));
  mkdirSync(join(dir, 'kafka'), { recursive: true });
  symlinkSync(join(root, '.local', 'kafka', 'libs'), join(dir, 'kafka', 'libs'));
  const names = SERVICE_PORT_VARIABLES;
  // Kafka node n listens on the two base ports + 2(n-1): those must be free as well, and differ from the rest.
  let ports: NodeJS.ProcessEnv;
  for (;;) {
    const [kafka = 0, controller = 0, ...rest] = await freePorts(names.length + 2);
    const nodePorts = [0, 2, 4].flatMap((d) => [kafka + d, controller + d]);
    const all = [...nodePorts, ...rest];
    if (new Set(all).size === all.length && nodePorts.every((p) => p < 65_536)) {
      ports = {
        LEADFLOW_LOCAL_DIR: dir,
        LEADFLOW_KAFKA_NODES: '3',
        LEADFLOW_KAFKA_PORT: String(kafka),
        LEADFLOW_KAFKA_CONTROLLER_PORT: String(controller),
        ...Object.fromEntries(names.map((n, i) => [n, String(rest[i])])),
      };
      if (!(await Promise.all(nodePorts.slice(2).map((p) => isPortOpen(p)))).some(Boolean)) break;
    }
  }
  const cfg = readStackConfig(ports);
  const t0 = Date.now();
  await up(cfg, () => undefined);
  log(`3-node stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s (${dir})`);
  const ingest = new IngestClient(
    `http://${cfg.host}:${cfg.ingestPort}`,
    DEV_ENV.LEADFLOW_INGEST_TOKENS,
    DEV_ENV.LEADFLOW_ADMIN_TOKENS,
  );
  await ingest.putDestination('chaos.https', {
    type: 'https',
    url: `http://${cfg.host}:${cfg.receiverPort}/leads`,
    signingSecret: DEMO_SIGNING_SECRET,
  });
  for (const offer of CHAOS_OFFERS.filter((o) => o.startsWith('chaos.table'))) {
    await ingest.putDestination(offer, {
      type: 'azure-table',
      connectionString: azuriteConnectionString(cfg.host, cfg.azuritePort),
      tableName: CHAOS_TABLE,
    });
  }
  for (const offer of CHAOS_OFFERS.filter((o) => o.startsWith('chaos.salesforce'))) {
    await ingest.putDestination(offer, {
      type: 'salesforce',
      mode: 'api',
      loginUrl: `https://${cfg.host}:${cfg.simulatorPorts['SALESFORCE']}`,
      clientId: SALESFORCE_SCENARIOS.clients.ok,
      clientSecret: SALESFORCE_SCENARIOS.clientSecret,
      externalIdField: 'LeadflowId__c',
    });
  }
  return {
    cfg,
    dir,
    ingest,
    async settle(accepted, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const verdict = judge(accepted, await tally(cfg, CHAOS_TABLE));
        if (verdict.missing.length === 0 || Date.now() > deadline) return verdict;
        await new Promise((r) => setTimeout(r, 2_000));
      }
    },
    async close(opts) {
      await down(cfg, () => undefined);
      if (!opts?.keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}
