import type { Consumer, EachMessagePayload, Kafka, Producer } from 'kafkajs';
import {
  Headers,
  notificationContacts,
  NOTIFIER_ERRORS,
  parseDeadLetterHeaders,
  readHeaders,
  type DeliveryReceipt,
  type NoticeRecord,
  type NotifierErrorClass,
  type OfferDestinationRecord,
} from '@leadflow/lead-model';
import { trackConsumerLag } from '@leadflow/kafka';
import type { HealthState, Logger } from '@leadflow/observability';
import { nextDelay, sleep, type RetryPolicy } from '@leadflow/retry';
import type { Mailer } from './mailer';
import type { Notice } from './notice';
import type { NoticeLedger } from './notice-ledger';
import type { DeadLetterEvent, NoticePlanner, NotifierEvent, OfferView } from './notice-planner';
import type { NotifierMetrics } from './notifier-metrics';
import { classifySendError } from './smtp-errors';
import { renderNotice } from './templates';

export interface NotifierTopics {
  readonly delivered: string;
  /** `leads.replay.ledger`: auto-replay's entries are counted for the "fixed" notice. */
  readonly replayLedger: string;
  /** Stage (`router`, a destination type) → its dead-letter topic. */
  readonly deadLetters: Readonly<Record<string, string>>;
  readonly notifierDlq: string;
}

export interface NotifierOptions {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly groupId: string;
  readonly topics: NotifierTopics;
  readonly offers: { get(offerId: string): OfferDestinationRecord | undefined };
  readonly planner: NoticePlanner;
  readonly ledger: NoticeLedger;
  readonly mailer: Mailer;
  readonly from: string;
  readonly unsubscribeUrl: string;
  readonly replayHint: string;
  readonly retry: RetryPolicy;
  readonly sessionTimeoutMs: number;
  /** Crash-test fault injection: a pause between a send and its record (0 in deployments). */
  readonly recordDelayMs?: number;
  /** How often open digests are checked for their window's end. */
  readonly tickMs: number;
  readonly logger: Logger;
  readonly metrics: NotifierMetrics;
  readonly health: HealthState;
  readonly now?: () => number;
}

/** Per partition: the next offset to process, and the offsets held by open digests. */
interface Progress {
  next?: bigint;
  committed?: bigint;
  readonly held: Map<string, Set<bigint>>;
}

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** The offer's current destination as the planner sees it: version, type, contacts (none when switched off). */
export function offerView(record: OfferDestinationRecord | undefined): OfferView | undefined {
  if (!record) return undefined;
  return {
    version: record.version,
    type: record.destination.type,
    contacts: notificationContacts(record.destination),
    autoReplay: (record.destination as { autoReplay?: unknown }).autoReplay === true,
  };
}

/** Reads what a notice may say from a dead-lettered lead: ids, source, action, flags. Customer fields are not read. */
function deadLetterEvent(
  stage: string,
  headers: Record<string, string>,
  value: Buffer | null,
): DeadLetterEvent | undefined {
  const info = parseDeadLetterHeaders(headers);
  if (!info.ok) return undefined;
  let lead: Record<string, unknown> = {};
  try {
    const parsed: unknown = value ? JSON.parse(value.toString('utf8')) : {};
    if (typeof parsed === 'object' && parsed !== null) lead = parsed as Record<string, unknown>;
  } catch {
    // A malformed record (ROUTER.MALFORMED_EVENT): no offer to tell.
  }
  const str = (k: string) => (typeof lead[k] === 'string' ? (lead[k] as string) : undefined);
  const offerId = str('offerId');
  const leadId = str('leadId') ?? info.value.leadId;
  if (!offerId || !leadId) return undefined;
  const version = info.value.destinationVersion !== undefined ? Number(info.value.destinationVersion) : undefined;
  const source = str('source');
  const action = str('action');
  return {
    offerId,
    leadId,
    isTest: lead['isTest'] === true,
    ...(source ? { source } : {}),
    ...(action ? { action } : {}),
    piiSuppressed: lead['piiSuppressed'] === true,
    stage,
    errorClass: info.value.errorClass,
    category: info.value.category,
    ...(version !== undefined && Number.isInteger(version) ? { destinationVersion: version } : {}),
    failedAt: info.value.failedAt,
  };
}

function receiptOf(value: Buffer | null): DeliveryReceipt | undefined {
  try {
    const r: unknown = value ? JSON.parse(value.toString('utf8')) : undefined;
    if (typeof r !== 'object' || r === null) return undefined;
    const o = r as Record<string, unknown>;
    if (typeof o['leadId'] !== 'string' || typeof o['offerId'] !== 'string' || typeof o['deliveredAt'] !== 'string')
      return undefined;
    return r as DeliveryReceipt;
  } catch {
    return undefined;
  }
}

class Stopped extends Error {}

/**
 * The notifier's shell: consumes receipts and dead letters in its own group, asks the planner what to send, sends
 * one notice at a time (so a crash can repeat at most the one in flight), records each on `notices.sent`, and
 * commits an offset only once everything it caused is recorded (leads in an open digest hold their offsets back).
 */
export class Notifier {
  readonly #o: NotifierOptions;
  readonly #now: () => number;
  readonly #progress = new Map<string, Progress>();
  readonly #abort = new AbortController();
  #consumer: Consumer | undefined;
  #sending: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  readonly #stageOf: Map<string, string>;

  constructor(o: NotifierOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#stageOf = new Map(Object.entries(o.topics.deadLetters).map(([stage, topic]) => [topic, stage]));
  }

  async start(): Promise<void> {
    const consumer = this.#o.kafka.consumer({
      groupId: this.#o.groupId,
      sessionTimeout: this.#o.sessionTimeoutMs,
      heartbeatInterval: Math.max(1_000, Math.floor(this.#o.sessionTimeoutMs / 10)),
      maxWaitTimeInMs: 500,
    });
    this.#consumer = consumer;
    trackConsumerLag(consumer, this.#o.metrics.registry, this.#o.groupId);
    consumer.on(consumer.events.GROUP_JOIN, () => this.#o.health.setReady(true));
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart) this.#o.health.setDead('consumer crashed');
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: [this.#o.topics.delivered, this.#o.topics.replayLedger, ...Object.values(this.#o.topics.deadLetters)],
      fromBeginning: true,
    });
    await consumer.run({ autoCommit: false, eachMessage: (p) => this.#each(p) });
    this.#timer = setInterval(() => {
      this.#ticking ??= this.#tick().finally(() => (this.#ticking = undefined));
    }, this.#o.tickMs);
  }

  /** Stops taking records, lets the notice in flight finish (or abandons its retries), commits, disconnects. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#abort.abort();
    await this.#sending.catch(() => undefined);
    await this.#ticking?.catch(() => undefined);
    await this.#commit().catch(() => undefined);
    await this.#consumer?.disconnect();
    this.#o.mailer.close();
  }

  async #each({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const p = this.#partition(topic, partition);
    const offset = BigInt(message.offset);
    if (topic === this.#o.topics.replayLedger) {
      const heldBy = this.#replay(message.value);
      if (heldBy) this.#hold(p, heldBy, offset);
      p.next = offset + 1n;
      return this.#commit();
    }
    const event = this.#event(topic, message.value, readHeaders(message.headers));
    if (event) {
      this.#o.metrics.events.inc({ kind: event.kind });
      const offer = offerView(
        this.#o.offers.get(event.kind === 'delivered' ? event.receipt.offerId : event.deadLetter.offerId),
      );
      const decision = this.#o.planner.decide(event, offer);
      for (const notice of decision.notices) await this.#deliver(notice, heartbeat);
      if (decision.heldBy) this.#hold(p, decision.heldBy, offset);
    }
    p.next = offset + 1n;
    await this.#commit();
  }

  /** A record waits for the notice it contributed to: its offset is not committed before that notice's record. */
  #hold(p: Progress, key: string, offset: bigint): void {
    const held = p.held.get(key) ?? new Set<bigint>();
    held.add(offset);
    p.held.set(key, held);
  }

  #replay(value: Buffer | null): string | undefined {
    try {
      const e: unknown = value ? JSON.parse(value.toString('utf8')) : undefined;
      if (typeof e !== 'object' || e === null) return undefined;
      const { replayOf, by } = e as { replayOf?: unknown; by?: unknown };
      if (typeof replayOf !== 'string' || typeof by !== 'string') return undefined;
      return this.#o.planner.replayed({ replayOf, by });
    } catch {
      return undefined;
    }
  }

  #event(topic: string, value: Buffer | null, headers: Record<string, string>): NotifierEvent | undefined {
    if (topic === this.#o.topics.delivered) {
      const receipt = receiptOf(value);
      return receipt ? { kind: 'delivered', receipt } : undefined;
    }
    const stage = this.#stageOf.get(topic);
    const deadLetter = stage ? deadLetterEvent(stage, headers, value) : undefined;
    return deadLetter ? { kind: 'dead-letter', deadLetter } : undefined;
  }

  #partition(topic: string, partition: number): Progress {
    const key = tpKey(topic, partition);
    let p = this.#progress.get(key);
    if (!p) {
      p = { held: new Map() };
      this.#progress.set(key, p);
    }
    return p;
  }

  /** Sends the digests whose window ended, then lets their leads' offsets be committed. */
  async #tick(): Promise<void> {
    const due = this.#o.planner.due(this.#now());
    this.#o.metrics.openDigests.set(this.#o.planner.openDigests);
    for (const notice of due) {
      try {
        await this.#deliver(notice, async () => undefined);
      } catch (err) {
        if (err instanceof Stopped) return;
        throw err;
      }
      for (const p of this.#progress.values()) p.held.delete(notice.key);
    }
    if (due.length > 0) await this.#commit();
  }

  async #commit(): Promise<void> {
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    for (const [key, p] of this.#progress) {
      if (p.next === undefined) continue;
      let point = p.next;
      for (const set of p.held.values()) for (const o of set) if (o < point) point = o;
      if (p.committed !== undefined && point <= p.committed) continue;
      const [topic, partition] = key.split('\u0000') as [string, string];
      offsets.push({ topic, partition: Number(partition), offset: point.toString() });
      p.committed = point;
    }
    if (offsets.length > 0) await this.#consumer?.commitOffsets(offsets);
  }

  /** One notice at a time, across the consumer and the digest timer. */
  #deliver(notice: Notice, heartbeat: () => Promise<void>): Promise<void> {
    const run = this.#sending.catch(() => undefined).then(() => this.#send(notice, heartbeat));
    this.#sending = run;
    return run;
  }

  async #send(notice: Notice, heartbeat: () => Promise<void>): Promise<void> {
    if (this.#o.planner.hasRecorded(notice.key)) return;
    const log = this.#o.logger.child({ notice: notice.key, kind: notice.kind });
    let rendered;
    try {
      rendered = renderNotice(notice, { replayHint: this.#o.replayHint });
    } catch (err) {
      log.error({ err }, 'notice could not be rendered');
      return this.#deadLetter(notice, 'NOTIFIER.UNEXPECTED', err instanceof Error ? err.name : 'render failed', 1);
    }
    const started = this.#now();
    for (let attempt = 1; ; attempt++) {
      if (this.#abort.signal.aborted) throw new Stopped('stopping');
      try {
        const result = await this.#o.mailer.send({
          from: this.#o.from,
          to: notice.recipients,
          rendered,
          unsubscribe: this.#o.unsubscribeUrl.replace('{offerId}', encodeURIComponent(notice.offerId)),
          messageId: `<${createMessageId(notice.key)}@leadflow.notifier>`,
          headers: {
            'X-Leadflow-Notice': notice.kind,
            'X-Leadflow-Notice-Key': notice.key,
            'Auto-Submitted': 'auto-generated',
          },
        });
        this.#o.health.setReady(true);
        if (result.rejected > 0) {
          // Some contacts refused for good, the others got it: the notice is sent, the refusal dead-lettered.
          await this.#deadLetter(
            notice,
            'NOTIFIER.RECIPIENT_REFUSED',
            `${result.rejected} recipient(s) refused`,
            attempt,
            false,
          );
        }
        if (result.accepted === 0) return;
        if (this.#o.recordDelayMs) await sleep(this.#o.recordDelayMs);
        await this.#record(notice, 'sent', result.accepted);
        this.#o.metrics.sent.inc({ kind: notice.kind });
        log.info({ attempt, accepted: result.accepted }, 'notice sent');
        return;
      } catch (err) {
        const verdict = classifySendError(err);
        if (!verdict.retry) {
          log.warn({ reason: verdict.reason, errorClass: verdict.errorClass }, 'notice refused for good');
          return this.#deadLetter(notice, verdict.errorClass, verdict.reason, attempt);
        }
        this.#o.metrics.retries.inc({ reason: verdict.reason.split(' ')[0] ?? 'unknown' });
        this.#o.health.setReady(false, `mail server unavailable (${verdict.reason})`);
        const delay = nextDelay(this.#o.retry, attempt, this.#now() - started, undefined) ?? this.#o.retry.maxDelayMs;
        log.warn({ attempt, reason: verdict.reason, delayMs: delay }, 'notice not sent; retrying');
        await this.#wait(delay, heartbeat);
      }
    }
  }

  /** Sleeps in slices, heart-beating, so a long SMTP outage does not cost the group its session. */
  async #wait(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const slice = Math.max(100, Math.floor(this.#o.sessionTimeoutMs / 5));
    for (let left = ms; left > 0; left -= slice) {
      await sleep(Math.min(slice, left), this.#abort.signal).catch(() => undefined);
      if (this.#abort.signal.aborted) throw new Stopped('stopping');
      await heartbeat().catch(() => undefined);
    }
  }

  async #deadLetter(
    notice: Notice,
    errorClass: NotifierErrorClass,
    reason: string,
    attempts: number,
    record = true,
  ): Promise<void> {
    const failedAt = new Date(this.#now()).toISOString();
    await this.#o.producer.send({
      topic: this.#o.topics.notifierDlq,
      acks: -1,
      messages: [
        {
          key: notice.key,
          // What the notice was about, never its recipients.
          value: JSON.stringify({
            key: notice.key,
            kind: notice.kind,
            offerId: notice.offerId,
            eventAt: notice.eventAt,
          }),
          headers: {
            [Headers.errorClass]: errorClass,
            [Headers.errorCategory]: errorClass === 'NOTIFIER.UNEXPECTED' ? 'internal' : 'configuration',
            [Headers.errorMessage]: reason,
            [Headers.errorRemediation]: NOTIFIER_ERRORS[errorClass].remediation,
            [Headers.sink]: 'notifier',
            [Headers.attempts]: String(attempts),
            [Headers.failedAt]: failedAt,
          },
        },
      ],
    });
    this.#o.metrics.deadLettered.inc({ kind: notice.kind, error_class: errorClass });
    if (record) await this.#record(notice, 'dead-lettered', 0);
  }

  async #record(notice: Notice, outcome: NoticeRecord['outcome'], accepted: number): Promise<void> {
    const r: NoticeRecord = {
      key: notice.key,
      kind: notice.kind,
      offerId: notice.offerId,
      outcome,
      eventAt: notice.eventAt,
      recordedAt: new Date(this.#now()).toISOString(),
      accepted,
      ...(notice.kind === 'lead' ? { leadIds: [notice.lead.leadId] } : {}),
      ...(notice.kind === 'digest' ? { leadIds: notice.leads.map((l) => l.leadId) } : {}),
      ...(notice.kind === 'broken' || notice.kind === 'reminder'
        ? { version: notice.version, errorClass: notice.errorClass, waiting: notice.waiting }
        : {}),
      ...(notice.kind === 'fixed' ? { version: notice.version, waiting: notice.waiting } : {}),
    };
    await this.#o.ledger.record(r);
    this.#o.planner.recorded(r);
  }
}

/** A Message-ID local part from the notice key: stable, so a repeat after a crash carries the same id. */
function createMessageId(key: string): string {
  return Buffer.from(key).toString('base64url');
}
