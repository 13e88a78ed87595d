import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { createProducer } from '@leadflow/kafka';
import { AuditRecordSchema, type AuditRecord } from '@leadflow/lead-model';
import { readToEnd } from '@leadflow/dead-letters';

/** An audit entry as a caller states it; the log adds the id and the time. */
export type AuditEntry = Omit<AuditRecord, 'id' | 'at'> & { readonly at?: string };

/**
 * Appends records to the audit topic: idempotent producer, every in-sync replica acknowledges, so an action that
 * reports success has left its record. Records are validated before they leave (a record the schema refuses is a
 * bug here, not something to write half of).
 */
export class AuditLog {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.producer = createProducer(kafka);
  }

  /** Connects once; a failed attempt is forgotten so the next call tries again. */
  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((err: unknown) => {
      this.connected = undefined;
      throw err;
    });
    return this.connected;
  }

  async append(entry: AuditEntry): Promise<AuditRecord> {
    const record = AuditRecordSchema.parse({ ...entry, id: randomUUID(), at: entry.at ?? this.clock().toISOString() });
    await this.connect();
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key: record.offerId ?? record.actor, value: JSON.stringify(record) }],
    });
    return record;
  }

  async disconnect(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = undefined;
  }
}

/** What `leadctl audit list` selects: any of the offers (a replay or reveal naming one counts), an actor, a time. */
export interface AuditFilter {
  readonly offers?: readonly string[];
  readonly actor?: string;
  readonly since?: Date;
}

/** Offers a record is about: its own, or those its replay/reveal filter names. */
function offersOf(r: AuditRecord): string[] {
  const named = (f: Record<string, unknown> | undefined) => {
    const v = f?.['offers'];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
  };
  return [...(r.offerId ? [r.offerId] : []), ...named(r.replay?.filter), ...named(r.reveal?.filter)];
}

export function matchesAudit(r: AuditRecord, f: AuditFilter): boolean {
  if (f.offers && f.offers.length > 0 && !offersOf(r).some((o) => f.offers?.includes(o))) return false;
  if (f.actor !== undefined && r.actor !== f.actor) return false;
  if (f.since !== undefined && Date.parse(r.at) < f.since.getTime()) return false;
  return true;
}

/**
 * The audit trail up to now, oldest first, filtered. A record that does not parse is reported (never dropped
 * silently): the trail is evidence.
 */
export async function readAuditTrail(
  kafka: Kafka,
  topic: string,
  filter: AuditFilter,
  opts: { readonly groupPrefix: string },
): Promise<{ records: AuditRecord[]; unreadable: number }> {
  const records: AuditRecord[] = [];
  const seen = new Set<string>();
  let unreadable = 0;
  await readToEnd(
    kafka,
    [topic],
    (_t, _p, message) => {
      let parsed: ReturnType<typeof AuditRecordSchema.safeParse>;
      try {
        parsed = AuditRecordSchema.safeParse(JSON.parse(message.value?.toString('utf8') ?? ''));
      } catch {
        unreadable += 1;
        return;
      }
      if (!parsed.success) {
        unreadable += 1;
        return;
      }
      if (seen.has(parsed.data.id)) return;
      seen.add(parsed.data.id);
      if (matchesAudit(parsed.data, filter)) records.push(parsed.data);
    },
    { groupPrefix: opts.groupPrefix },
  );
  records.sort((a, b) => a.at.localeCompare(b.at));
  return { records, unreadable };
}
