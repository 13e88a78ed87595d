import { Counter, type Registry } from 'prom-client';
import { auditFilter, type AuditEntry } from '@leadflow/audit';
import { ReplayFencedError, type DeadLetterStore } from '@leadflow/dead-letters';
import type { OfferDestinationRecord } from '@leadflow/lead-model';
import type { Logger } from '@leadflow/observability';
import type { OfferStatusIndex } from '../status/status-index';
import { autoReplayPlan, type AutoReplayPlan, type ValidationReceipt } from './auto-replay-decision';

export interface AutoReplayOptions {
  readonly store: Pick<DeadLetterStore, 'replay'>;
  /** The offer table; receipts read before it caught up wait for it (a restart reads both from the start). */
  readonly offers: { get(offerId: string): OfferDestinationRecord | undefined; readonly caughtUp?: boolean };
  readonly validationLeadId: (offerId: string, version: number, updatedAt: string) => string;
  readonly index: OfferStatusIndex;
  readonly logger: Logger;
  readonly registry?: Registry;
  /** The audit trail: each auto-replay that published leads leaves one record. */
  readonly audit?: { append(entry: AuditEntry): Promise<unknown> };
  /** Attempts when another replay fences this one (it then re-reads the ledger and replays only the rest). */
  readonly attempts?: number;
  readonly retryDelayMs?: number;
}

/**
 * Auto-replay on fix: when an opted-in offer's validation lead of a new version is delivered, that offer's
 * configuration dead letters are replayed through the same engine and ledger as `leadctl dlq replay`.
 * Runs once per version in this process; the ledger makes it once per dead letter across restarts and
 * instances (each ingest instance sees the same receipt; the first replays, the others find it done).
 */
/** How long a validation receipt waits for the offer table to show the version it validates. */
const WAIT_FOR_TABLE_MS = 30_000;

export class AutoReplay {
  private readonly started = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly replayed: Counter | undefined;
  /** Validation receipts that started nothing yet, latest per offer, and until when to look again. */
  private readonly waiting = new Map<string, { receipt: ValidationReceipt; until: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: AutoReplayOptions) {
    this.replayed = opts.registry
      ? new Counter({
          name: 'leadflow_ingest_auto_replayed_leads_total',
          help: 'Dead letters replayed by auto-replay after a fixed destination was validated',
          registers: [opts.registry],
        })
      : undefined;
  }

  /**
   * Called for every validation lead the status view finds counted as delivered; returns at once (the replay is queued).
   * A validation receipt can be read before the offer table has the version it validates (two consumers,
   * two lags; at start-up the table may still be loading): the latest one per offer is looked at again
   * for a while before it is let go.
   */
  onDelivery(receipt: ValidationReceipt): void {
    if (!receipt.isTest || this.stopped) return;
    if (this.consider(receipt)) {
      this.waiting.delete(receipt.offerId);
      return;
    }
    this.waiting.set(receipt.offerId, { receipt, until: Date.now() + WAIT_FOR_TABLE_MS });
    this.timer ??= setInterval(() => this.recheck(), 500);
  }

  /** Queues the replay a receipt starts, if it starts one (or already did); false when it may yet. */
  private consider(receipt: ValidationReceipt): boolean {
    if (this.opts.offers.caughtUp === false) return false;
    const plan = autoReplayPlan(receipt, this.opts.offers.get(receipt.offerId), this.opts.validationLeadId);
    if (!plan) return false;
    const key = `${plan.offerId}@${plan.version}`;
    if (this.started.has(key)) return true;
    this.started.add(key);
    // One replay at a time: they share one transactional id and would only fence each other.
    this.queue = this.queue.then(() => this.run(plan));
    return true;
  }

  private recheck(): void {
    const now = Date.now();
    for (const [offerId, w] of this.waiting)
      if (this.consider(w.receipt) || (now > w.until && this.opts.offers.caughtUp !== false))
        this.waiting.delete(offerId);
    if (this.waiting.size === 0 || this.stopped) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Resolves once queued replays have finished (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Stops between replay transactions; what was replayed stays in the ledger. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.abort.abort();
    await this.queue;
  }

  private async run(plan: AutoReplayPlan): Promise<void> {
    const attempts = this.opts.attempts ?? 3;
    const log = this.opts.logger.child({ component: 'auto-replay', offerId: plan.offerId, version: plan.version });
    for (let attempt = 1; attempt <= attempts && !this.stopped; attempt++) {
      try {
        const report = await this.opts.store.replay(plan.filter, { by: plan.by, signal: this.abort.signal });
        // Counted from the ledger too, so a restart (which finds everything already replayed) reports the same.
        const earlier = report.previous.filter((e) => e.by === plan.by);
        const at = [report.replayed > 0 ? report.finishedAt : '', ...earlier.map((e) => e.replayedAt)].sort().pop();
        this.opts.index.recordAutoReplay(plan.offerId, {
          version: plan.version,
          replayed: report.replayed + earlier.length,
          ...(at ? { at } : {}),
        });
        this.replayed?.inc(report.replayed);
        // Only the instance that published anything records it (the others found the ledger done): one record.
        if (report.replayed > 0 && this.opts.audit) {
          await this.opts.audit
            .append({
              actor: `service:ingest/${plan.by}`,
              action: 'deadletters.replay',
              offerId: plan.offerId,
              replay: { filter: auditFilter(plan.filter), count: report.replayed, auto: true },
            })
            .catch((err: unknown) => log.error({ err }, 'auto-replay audit record not written'));
        }
        log.info(
          { matched: report.matched, replayed: report.replayed, alreadyReplayed: report.alreadyReplayed },
          'auto-replay finished',
        );
        return;
      } catch (err) {
        const fenced = err instanceof ReplayFencedError;
        log.warn({ err, attempt, fenced }, 'auto-replay failed');
        if (attempt < attempts) await new Promise((r) => setTimeout(r, (this.opts.retryDelayMs ?? 2_000) * attempt));
      }
    }
  }
}
