import { createHmac } from 'node:crypto';
import { decodeDeadLetter, decodeLedgerEntry, type DeadLetter, type LedgerEntry } from '@leadflow/dead-letters';
import { Headers, type DlqStage } from '@leadflow/lead-model';

/**
 * What the console indexes, one event per record of the topics it follows. Pure: record in, event out; the
 * Kafka shell (index-feed.ts) reads the records. Events carry no customer data: an e-mail only as its keyed
 * hash, a name never.
 */
export type IndexEvent =
  | {
      readonly kind: 'accepted';
      readonly leadId: string;
      readonly offerId: string;
      readonly at: number;
      readonly isTest: boolean;
      readonly emailHash?: string;
      readonly traceId?: string;
      /** Set when this record is a replay: the dead letter it replays, and who replayed it. */
      readonly replayOf?: string;
      readonly replayBy?: string;
    }
  | {
      readonly kind: 'routed';
      readonly leadId: string;
      readonly offerId: string;
      readonly at: number;
      readonly topic: string;
    }
  | {
      readonly kind: 'delivered';
      readonly leadId: string;
      readonly offerId: string;
      readonly at: number;
      readonly destination: string;
      readonly externalId?: string;
      readonly attempts: number;
      readonly isTest: boolean;
    }
  | { readonly kind: 'dead-lettered'; readonly deadLetter: DeadLetterSummary; readonly emailHash?: string }
  | { readonly kind: 'replayed'; readonly entry: LedgerEntry }
  | { readonly kind: 'ledger-cleared'; readonly replayOf: string };

/** A dead letter as the index keeps it: the headers' facts, never the lead's body. */
export interface DeadLetterSummary {
  readonly id: string;
  readonly stage: DlqStage;
  readonly leadId?: string;
  readonly offerId?: string;
  readonly errorClass: string;
  readonly category: string;
  readonly message: string;
  readonly remediation: string;
  /** RFC 3339, as the dead-letter header says (what filters compare). */
  readonly failedAt: string;
  /** The same instant in epoch ms. */
  readonly at: number;
  readonly attempts?: number;
  readonly sink?: string;
  readonly destinationVersion?: number;
  readonly isTest: boolean;
}

/** A record as the feed hands it over: key, value, headers as strings, timestamp in ms. */
export interface FeedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function json(value: Buffer | null): unknown {
  if (value === null || value.length === 0) return undefined;
  try {
    return JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The first `email` field (any case, any depth) of a lead in any of the three input shapes. */
export function findEmail(body: unknown, depth = 0): string | undefined {
  if (!isObj(body) || depth > 4) return undefined;
  for (const [k, v] of Object.entries(body)) if (k.toLowerCase() === 'email' && typeof v === 'string') return v;
  for (const v of Object.values(body)) {
    const found = findEmail(v, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * The keyed hash an e-mail is looked up by: HMAC-SHA256 of the trimmed, lower-cased address, 16 bytes. The key
 * lives in memory only (the index is rebuilt at start), so a hash is useless outside this process.
 */
export function emailHasher(key: Buffer): (email: string) => string {
  return (email) =>
    createHmac('sha256', key).update(email.trim().toLowerCase(), 'utf8').digest('base64url').slice(0, 22);
}

const ms = (iso: string | undefined, fallback: string): number => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? Number(fallback) || 0 : t;
};

const traceIdOf = (traceparent: string | undefined): string | undefined =>
  traceparent && /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.test(traceparent)
    ? traceparent.split('-')[1]
    : undefined;

export function acceptedEvent(r: FeedRecord, hash: (email: string) => string): IndexEvent | undefined {
  const body = json(r.value);
  const leadId = str(r.headers[Headers.ceId]) ?? (isObj(body) ? str(body['leadId']) : undefined);
  if (!leadId) return undefined;
  const offerId = (isObj(body) ? str(body['offerId']) : undefined) ?? r.key?.toString('utf8') ?? '';
  const email = findEmail(body);
  const traceId = traceIdOf(r.headers[Headers.traceparent]);
  const replayOf = str(r.headers[Headers.replayOf]);
  const replayBy = str(r.headers[Headers.replayBy]);
  return {
    kind: 'accepted',
    leadId,
    offerId,
    at: Number(r.timestamp) || 0,
    isTest: isObj(body) && body['isTest'] === true,
    ...(email ? { emailHash: hash(email) } : {}),
    ...(traceId ? { traceId } : {}),
    ...(replayOf ? { replayOf } : {}),
    ...(replayBy ? { replayBy } : {}),
  };
}

export function routedEvent(r: FeedRecord): IndexEvent | undefined {
  const leadId = str(r.headers[Headers.ceId]);
  if (!leadId) return undefined;
  return {
    kind: 'routed',
    leadId,
    offerId: r.key?.toString('utf8') ?? '',
    at: Number(r.timestamp) || 0,
    topic: r.topic,
  };
}

export function deliveredEvent(r: FeedRecord): IndexEvent | undefined {
  const v = json(r.value);
  if (!isObj(v)) return undefined;
  const leadId = str(v['leadId']);
  const offerId = str(v['offerId']);
  if (!leadId || !offerId) return undefined;
  const externalId = str(v['externalId']);
  return {
    kind: 'delivered',
    leadId,
    offerId,
    at: ms(str(v['deliveredAt']), r.timestamp),
    destination: str(v['destination']) ?? 'unknown',
    ...(externalId ? { externalId } : {}),
    attempts: typeof v['attempts'] === 'number' ? v['attempts'] : 1,
    isTest: v['isTest'] === true,
  };
}

/** Messages are capped in the index: a CRM's error text can be long, and 200,000 of them must fit. */
const MAX_MESSAGE = 300;

export function deadLetterEvent(stage: DlqStage, r: FeedRecord, hash: (email: string) => string): IndexEvent {
  const dl: DeadLetter = decodeDeadLetter(stage, r);
  const email = findEmail(dl.body);
  return {
    kind: 'dead-lettered',
    deadLetter: {
      id: dl.id,
      stage,
      ...(dl.leadId !== undefined ? { leadId: dl.leadId } : {}),
      ...(dl.offerId !== undefined ? { offerId: dl.offerId } : {}),
      errorClass: dl.errorClass,
      category: dl.category,
      message: dl.message.length > MAX_MESSAGE ? `${dl.message.slice(0, MAX_MESSAGE)}…` : dl.message,
      remediation: dl.remediation,
      failedAt: dl.failedAt,
      at: ms(dl.failedAt, r.timestamp),
      ...(dl.attempts !== undefined ? { attempts: dl.attempts } : {}),
      ...(dl.sink !== undefined ? { sink: dl.sink } : {}),
      ...(dl.destinationVersion !== undefined ? { destinationVersion: dl.destinationVersion } : {}),
      isTest: isObj(dl.body) && dl.body['isTest'] === true,
    },
    ...(email ? { emailHash: hash(email) } : {}),
  };
}

export function ledgerEvent(r: FeedRecord): IndexEvent | undefined {
  const key = r.key?.toString('utf8') ?? null;
  const entry = decodeLedgerEntry(key, r.value);
  if (entry) return { kind: 'replayed', entry };
  return key !== null ? { kind: 'ledger-cleared', replayOf: key } : undefined;
}
