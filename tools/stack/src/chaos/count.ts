import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { Kafka, logLevel } from 'kafkajs';
import { Agent, fetch as undiciFetch } from 'undici';
import { azuriteConnectionString } from '@leadflow/local-infra';
import { Headers, Topics } from '@leadflow/lead-model';
import { simulatorTlsDir } from '../components';
import { kafkaBrokers, type StackConfig } from '../stack.config';
import type { Accepted } from './load';

/** Where each lead ended up, counted at the destinations themselves and on the dead-letter topics. */
export interface Tally {
  /** Lead id → times it is stored at its destination (table rows, receiver posts, CRM records). */
  readonly stored: ReadonlyMap<string, number>;
  /** Lead ids on a dead-letter topic, with the class. */
  readonly deadLettered: ReadonlyMap<string, string>;
}

export interface Verdict {
  readonly accepted: number;
  readonly delivered: number;
  readonly deadLettered: number;
  /** Accepted (202) and neither stored nor dead-lettered: lost. */
  readonly missing: readonly string[];
  /** Stored more than once where the destination is idempotent (a table row, an upserted CRM record). */
  readonly duplicated: readonly string[];
}

/** Every record of the given topics, from the beginning to the end offsets as they are now. */
async function readAll(
  cfg: StackConfig,
  topics: readonly string[],
): Promise<{ topic: string; headers: Record<string, string> }[]> {
  const kafka = new Kafka({
    brokers: kafkaBrokers(cfg).split(','),
    clientId: 'leadflow-count',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, number>();
  for (const t of topics) {
    for (const p of await admin.fetchTopicOffsets(t)) ends.set(`${t}/${p.partition}`, Number(p.high));
  }
  await admin.disconnect();
  const total = [...ends.values()].reduce((n, x) => n + x, 0);
  const out: { topic: string; headers: Record<string, string> }[] = [];
  if (total === 0) return out;
  const consumer = kafka.consumer({ groupId: `count-${Date.now()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  let seen = 0;
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      seen++;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(v);
      out.push({ topic, headers });
    },
  });
  const deadline = Date.now() + 60_000;
  while (seen < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await consumer.disconnect();
  return out;
}

/** Counts what the stack's destinations hold: Azurite's table, the demo receiver, the Salesforce simulator. */
export async function tally(cfg: StackConfig, table: string): Promise<Tally> {
  const stored = new Map<string, number>();
  const add = (id: string) => stored.set(id, (stored.get(id) ?? 0) + 1);
  const client = TableClient.fromConnectionString(azuriteConnectionString(cfg.host, cfg.azuritePort), table, {
    allowInsecureConnection: true,
  });
  try {
    for await (const e of client.listEntities({ queryOptions: { select: ['RowKey'] } })) add(String(e.rowKey));
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  const received = (await (await fetch(`http://${cfg.host}:${cfg.receiverPort}/received`)).json()) as {
    leadId?: string;
  }[];
  // The HTTPS endpoint is at-least-once by contract (it dedupes on Idempotency-Key): a repeat is not a duplicate.
  for (const id of new Set(received.map((r) => r.leadId ?? ''))) if (id) add(id);
  const dispatcher = new Agent({ connect: { ca: readFileSync(join(simulatorTlsDir(cfg), 'ca.pem'), 'utf8') } });
  const sf = (await (
    await undiciFetch(`https://${cfg.host}:${cfg.simulatorPorts['SALESFORCE']}/_state`, { dispatcher })
  ).json()) as { leads: { fields: Record<string, unknown> }[] };
  for (const l of sf.leads) {
    const id = l.fields['LeadflowId__c'];
    if (typeof id === 'string') add(id);
  }
  const dlqTopics = ['router', 'https', 'azure-table', 'salesforce'].map((s) => Topics.dlq(s as never));
  const deadLettered = new Map<string, string>();
  for (const r of await readAll(cfg, dlqTopics)) {
    const id = r.headers[Headers.ceId];
    if (id) deadLettered.set(id, r.headers[Headers.errorClass] ?? '');
  }
  return { stored, deadLettered };
}

/** Every accepted lead delivered or dead-lettered, none missing, none twice where the destination is idempotent. */
export function judge(accepted: readonly Accepted[], t: Tally): Verdict {
  const ids = [...new Set(accepted.map((a) => a.leadId))];
  const missing = ids.filter((id) => !t.stored.has(id) && !t.deadLettered.has(id));
  return {
    accepted: ids.length,
    delivered: ids.filter((id) => t.stored.has(id)).length,
    deadLettered: ids.filter((id) => !t.stored.has(id) && t.deadLettered.has(id)).length,
    missing,
    duplicated: ids.filter((id) => (t.stored.get(id) ?? 0) > 1),
  };
}
