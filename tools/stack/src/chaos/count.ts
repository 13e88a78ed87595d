import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { Kafka, logLevel } from 'kafkajs';
import { Agent, fetch as undiciFetch } from 'undici';
import { azuriteConnectionString } from '@leadflow/local-infra';
import { readToEnd } from '@leadflow/dead-letters';
import { headersToStrings } from '@leadflow/kafka';
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
  /** Lead ids the Salesforce simulator received again after storing them (an upsert that matched): stored once. */
  readonly attemptedAgain: ReadonlySet<string>;
}

export interface Verdict {
  readonly accepted: number;
  readonly delivered: number;
  readonly deadLettered: number;
  /** Accepted (202) and neither stored nor dead-lettered: lost. */
  readonly missing: readonly string[];
  /** The missing ones by offer (each offer is one destination), to tell which path lost them. */
  readonly missingByOffer: Readonly<Record<string, number>>;
  /** Stored more than once where the destination is idempotent (a table row, an upserted CRM record). */
  readonly duplicated: readonly string[];
  /** Stored once but sent to Salesforce more than once (redelivered after a crash: at-least-once, absorbed). */
  readonly attemptedAgain: number;
}

/**
 * Every record's headers on the given topics, to their ends as they are now (read_committed, transaction markers
 * accounted for; the throw-away group is deleted afterwards).
 */
async function readAll(cfg: StackConfig, topics: readonly string[]): Promise<Record<string, string>[]> {
  const kafka = new Kafka({
    brokers: kafkaBrokers(cfg).split(','),
    clientId: 'leadflow-count',
    logLevel: logLevel.NOTHING,
  });
  const out: Record<string, string>[] = [];
  await readToEnd(kafka, topics, (_topic, _partition, m) => out.push(headersToStrings(m.headers)), {
    groupPrefix: 'leadflow-count',
    timeoutMs: 60_000,
  });
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
  ).json()) as { leads: { fields: Record<string, unknown>; updates?: number }[] };
  const attemptedAgain = new Set<string>();
  for (const l of sf.leads) {
    const id = l.fields['LeadflowId__c'];
    if (typeof id === 'string') add(id);
    if (typeof id === 'string' && (l.updates ?? 0) > 0) attemptedAgain.add(id);
  }
  const dlqTopics = ['router', 'https', 'azure-table', 'salesforce'].map((s) => Topics.dlq(s as never));
  const deadLettered = new Map<string, string>();
  for (const headers of await readAll(cfg, dlqTopics)) {
    const id = headers[Headers.ceId];
    if (id) deadLettered.set(id, headers[Headers.errorClass] ?? '');
  }
  return { stored, deadLettered, attemptedAgain };
}

/** Every accepted lead delivered or dead-lettered, none missing, none twice where the destination is idempotent. */
export function judge(accepted: readonly Accepted[], t: Tally): Verdict {
  const ids = [...new Set(accepted.map((a) => a.leadId))];
  const missing = ids.filter((id) => !t.stored.has(id) && !t.deadLettered.has(id));
  const offerOf = new Map(accepted.map((a) => [a.leadId, a.offerId]));
  const missingByOffer: Record<string, number> = {};
  for (const id of missing) {
    const offer = offerOf.get(id) ?? '?';
    missingByOffer[offer] = (missingByOffer[offer] ?? 0) + 1;
  }
  return {
    accepted: ids.length,
    missingByOffer,
    delivered: ids.filter((id) => t.stored.has(id)).length,
    deadLettered: ids.filter((id) => !t.stored.has(id) && t.deadLettered.has(id)).length,
    missing,
    duplicated: ids.filter((id) => (t.stored.get(id) ?? 0) > 1),
    attemptedAgain: ids.filter((id) => t.attemptedAgain.has(id)).length,
  };
}
