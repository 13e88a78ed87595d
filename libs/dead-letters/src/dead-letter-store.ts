import type { Kafka, Producer } from 'kafkajs';
import type { Link } from '@opentelemetry/api';
import { createProducer, ensureTopics, headersToStrings } from '@leadflow/kafka';
import { Headers } from '@leadflow/lead-model';
import { contextFromTraceparent, endSpan, startOperationSpan, startSendSpan } from '@leadflow/observability';
import { decodeDeadLetter, type DeadLetter } from './dead-letter';
import { REPLAY_LEDGER_PARTITIONS, stageOfTopic, type DeadLetterTopics } from './dead-letter-topics';
import { matchesFilter, type DeadLetterFilter } from './filter';
import { decodeLedgerEntry, encodeLedgerEntry, type LedgerEntry } from './ledger';
import { replayMessage } from './replay-record';
import { readToEnd, type RecordHandler } from './topic-reader';

export interface DeadLetterStoreOptions {
  readonly kafka: Kafka;
  readonly topics: DeadLetterTopics;
  /**
   * Transactional id of replays; by default derived from the ledger topic, so every replayer of one ledger
   * (leadctl, the ingest's auto-replay) shares it. Only one replay runs at a time: a new one fences the
   * one before (which stops with ReplayFencedError) and sees all it committed.
   */
  readonly transactionalId?: string;
  /** Prefix of the throw-away consumer groups that read the topics. */
  readonly groupPrefix?: string;
  readonly now?: () => Date;
}

export interface DeadLetterSnapshot {
  /** The dead letters selected by the filter, oldest first per topic partition. */
  readonly deadLetters: readonly DeadLetter[];
  /** Every ledger entry, by dead-letter id. */
  readonly ledger: ReadonlyMap<string, LedgerEntry>;
}

export interface ReplayProgress {
  readonly done: number;
  readonly total: number;
}

export interface ReplayOptions {
  /** Who replays (`leadflow.replay.by`, and the ledger). */
  readonly by: string;
  /** Lists what would be replayed and changes nothing. */
  readonly dryRun?: boolean;
  /** Most leads per second; unlimited when absent. */
  readonly rate?: number;
  readonly onProgress?: (p: ReplayProgress) => void;
  /** Stops between transactions; what was committed stays committed (and in the ledger). */
  readonly signal?: AbortSignal;
}

export interface ReplayReport {
  readonly dryRun: boolean;
  /** Dead letters the filter selected. */
  readonly matched: number;
  /** Of those, already in the ledger: not published again. */
  readonly alreadyReplayed: number;
  /** Published now (0 on a dry run). */
  readonly replayed: number;
  /** The dead letters that were (or, on a dry run, would be) replayed. */
  readonly selected: readonly DeadLetter[];
  /** Ledger entries of the matched dead letters replayed before. */
  readonly previous: readonly LedgerEntry[];
  readonly startedAt: string;
  readonly finishedAt: string;
}

/** Another replay started on the cluster and fenced this one; what this one committed is in the ledger. */
export class ReplayFencedError extends Error {
  constructor(
    readonly replayed: number,
    cause: unknown,
  ) {
    super(
      `another replay started and stopped this one after ${replayed} leads; what was replayed is in the ledger, so running it again replays only the rest`,
      { cause },
    );
    this.name = 'ReplayFencedError';
  }
}

/** Largest replay transaction: bounds what one abort throws away and one commit waits for. */
const MAX_CHUNK = 1_000;
/**
 * Bytes per replay transaction: kafkajs sends one record batch per partition, which the broker refuses
 * above `message.max.bytes` (1 MiB by default, Kafka broker configuration reference).
 */
const MAX_CHUNK_BYTES = 512 * 1024;

function recordBytes(d: DeadLetter): number {
  let n = (d.record.key?.length ?? 0) + (d.record.value?.length ?? 0) + 200;
  for (const [k, v] of Object.entries(d.record.headers)) n += k.length + v.length;
  return n;
}

/** Consecutive chunks of at most `count` dead letters and MAX_CHUNK_BYTES (one dead letter at least). */
function chunks(all: readonly DeadLetter[], count: number): DeadLetter[][] {
  const out: DeadLetter[][] = [];
  let cur: DeadLetter[] = [];
  let bytes = 0;
  for (const d of all) {
    const b = recordBytes(d);
    if (cur.length > 0 && (cur.length >= count || bytes + b > MAX_CHUNK_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(d);
    bytes += b;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

function isFenced(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const type = (e as { type?: unknown }).type;
    if (
      type === 'INVALID_PRODUCER_EPOCH' ||
      type === 'PRODUCER_FENCED' ||
      type === 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'
    )
      return true;
    if (/fenced|epoch/i.test(e.message)) return true;
  }
  return false;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * The dead-letter engine: reads every dead-letter topic (and the replay ledger), filters, and replays to
 * `leads.ingested` exactly once per dead letter. leadctl and the ingest's auto-replay drive it; a web
 * console can drive it the same way.
 */
export class DeadLetterStore {
  private readonly now: () => Date;
  private readonly groupPrefix: string;

  constructor(private readonly opts: DeadLetterStoreOptions) {
    this.now = opts.now ?? (() => new Date());
    this.groupPrefix = opts.groupPrefix ?? 'leadflow-dead-letters';
  }

  /** The dead letters the filter selects, and the ledger, as of now. */
  async read(filter: DeadLetterFilter = {}): Promise<DeadLetterSnapshot> {
    const { topics } = this.opts;
    const deadLetters: DeadLetter[] = [];
    const ledger = new Map<string, LedgerEntry>();
    const dlqTopics = Object.values(topics.deadLetters).filter((t): t is string => t !== undefined);
    await this.readTopics([...dlqTopics, topics.ledger], (topic, partition, m) => {
      if (topic === topics.ledger) {
        const key = m.key?.toString('utf8') ?? null;
        const entry = decodeLedgerEntry(key, m.value);
        if (entry) ledger.set(entry.replayOf, entry);
        else if (key !== null) ledger.delete(key);
        return;
      }
      const stage = stageOfTopic(topics, topic);
      if (!stage) return;
      const dl = decodeDeadLetter(stage, {
        topic,
        partition,
        offset: m.offset,
        key: m.key,
        value: m.value,
        headers: headersToStrings(m.headers),
        timestamp: m.timestamp,
      });
      if (matchesFilter(dl, filter)) deadLetters.push(dl);
    });
    return { deadLetters, ledger };
  }

  /**
   * Replays the selected dead letters that the ledger does not hold yet. Each chunk is one Kafka
   * transaction that writes the replayed records to `leads.ingested` and their ledger entries together:
   * a crash leaves either both or neither, so running the same replay again publishes nothing twice.
   */
  async replay(filter: DeadLetterFilter, options: ReplayOptions): Promise<ReplayReport> {
    // The run is a span of the replayer (leadctl, ingest's auto-replay, a console job) in a trace of its own, or
    // under the replayer's active span; each replayed lead's send span links to it (see publish).
    const run = startOperationSpan('replay dead letters', { 'leadflow.replay.dry_run': options.dryRun === true });
    try {
      const report = await this.replayRun(filter, options, run.link);
      run.span.setAttributes({ 'leadflow.replay.matched': report.matched, 'leadflow.replay.count': report.replayed });
      endSpan(run.span);
      return report;
    } catch (err) {
      endSpan(run.span, err);
      throw err;
    }
  }

  private async replayRun(filter: DeadLetterFilter, options: ReplayOptions, run: Link): Promise<ReplayReport> {
    const startedAt = this.now().toISOString();
    const snapshot = await this.read(filter);
    const matched = snapshot.deadLetters.length;
    if (options.dryRun) {
      const selected = snapshot.deadLetters.filter((d) => !snapshot.ledger.has(d.id));
      return this.report(true, matched, selected, 0, snapshot, startedAt);
    }
    if (matched === 0) return this.report(false, 0, [], 0, snapshot, startedAt);

    await this.ensureLedgerTopic();
    // libs/kafka's producer: the failover-safe send path (checked), murmur2 keys like every other producer.
    const producer = createProducer(this.opts.kafka, {
      transactionalId: this.opts.transactionalId ?? `${this.opts.topics.ledger}.replayer`,
    });
    await producer.connect();
    let replayed = 0;
    try {
      // An empty transaction registers this producer with the coordinator: any earlier replayer is fenced,
      // and its open transaction is aborted, before the ledger is read again below.
      await this.fence(producer);
      const { ledger } = await this.readLedger();
      const selected = snapshot.deadLetters.filter((d) => !ledger.has(d.id));
      const total = selected.length;
      options.onProgress?.({ done: 0, total });
      const t0 = Date.now();
      for (const part of chunks(selected, Math.max(1, Math.min(MAX_CHUNK, options.rate ?? MAX_CHUNK)))) {
        if (options.signal?.aborted) break;
        try {
          await this.publish(producer, part, options.by, run);
        } catch (err) {
          if (isFenced(err)) throw new ReplayFencedError(replayed, err);
          throw err;
        }
        replayed += part.length;
        options.onProgress?.({ done: replayed, total });
        if (options.rate) await sleep(t0 + (replayed / options.rate) * 1000 - Date.now(), options.signal);
      }
      const previous = snapshot.deadLetters.map((d) => ledger.get(d.id)).filter((e): e is LedgerEntry => !!e);
      return {
        dryRun: false,
        matched,
        alreadyReplayed: matched - total,
        replayed,
        selected: selected.slice(0, replayed),
        previous,
        startedAt,
        finishedAt: this.now().toISOString(),
      };
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  }

  /** The ledger alone (read_committed, to its end). */
  async readLedger(): Promise<{ ledger: Map<string, LedgerEntry> }> {
    const ledger = new Map<string, LedgerEntry>();
    await this.readTopics([this.opts.topics.ledger], (_topic, _partition, m) => {
      const key = m.key?.toString('utf8') ?? null;
      const entry = decodeLedgerEntry(key, m.value);
      if (entry) ledger.set(entry.replayOf, entry);
      else if (key !== null) ledger.delete(key);
    });
    return { ledger };
  }

  private report(
    dryRun: boolean,
    matched: number,
    selected: DeadLetter[],
    replayed: number,
    snapshot: DeadLetterSnapshot,
    startedAt: string,
  ): ReplayReport {
    const previous = snapshot.deadLetters.map((d) => snapshot.ledger.get(d.id)).filter((e): e is LedgerEntry => !!e);
    return {
      dryRun,
      matched,
      alreadyReplayed: previous.length,
      replayed,
      selected,
      previous,
      startedAt,
      finishedAt: this.now().toISOString(),
    };
  }

  private async fence(producer: Producer): Promise<void> {
    const tx = await producer.transaction();
    await tx.commit();
  }

  private async publish(producer: Producer, part: readonly DeadLetter[], by: string, run: Link): Promise<void> {
    const at = this.now();
    const topic = this.opts.topics.ingested;
    // Each replayed record's `send leads.ingested` span is a child of its dead letter's send span (the record's
    // traceparent): the replay continues the lead's one trace, parent rather than link, since one lead is replayed
    // per record and "where is lead X" should stay one trace. The span's context goes on the replayed record. It
    // links to the replay run's span, which is in the replayer's trace: from the lead, who replayed it and when.
    const traced = part.map((d) => {
      const m = replayMessage(d, at, by);
      const send = startSendSpan(
        topic,
        contextFromTraceparent(m.headers[Headers.traceparent]),
        {
          'leadflow.replay': true,
          'leadflow.replay.of': d.id,
        },
        d.leadId,
        [run],
      );
      if (send.traceparent) m.headers[Headers.traceparent] = send.traceparent;
      return { message: m, span: send.span };
    });
    const tx = await producer.transaction();
    try {
      await tx.sendBatch({
        acks: -1,
        topicMessages: [
          { topic, messages: traced.map((t) => t.message) },
          {
            topic: this.opts.topics.ledger,
            messages: part.map((d) =>
              encodeLedgerEntry({
                replayOf: d.id,
                replayedAt: at.toISOString(),
                by,
                ...(d.leadId !== undefined ? { leadId: d.leadId } : {}),
                ...(d.offerId !== undefined ? { offerId: d.offerId } : {}),
              }),
            ),
          },
        ],
      });
      await tx.commit();
    } catch (err) {
      for (const t of traced) endSpan(t.span, err);
      await tx.abort().catch(() => undefined);
      throw err;
    }
    for (const t of traced) endSpan(t.span);
  }

  private async ensureLedgerTopic(): Promise<void> {
    const admin = this.opts.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [
        { name: this.opts.topics.ledger, partitions: REPLAY_LEDGER_PARTITIONS, compacted: true },
      ]);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private readTopics(topics: readonly string[], onRecord: RecordHandler): Promise<void> {
    return readToEnd(this.opts.kafka, topics, onRecord, { groupPrefix: this.groupPrefix });
  }
}
