import { randomUUID } from 'node:crypto';
import { auditFilter, type AuditEntry } from '@leadflow/audit';
import { ReplayFencedError, type DeadLetterFilter, type DeadLetterStore } from '@leadflow/dead-letters';
import type { Logger } from '@leadflow/observability';
import type { RawFilterBody, ReplayJobView } from '../api/api.schemas';

/** What a replay reports while it runs: the typed event stream the page reads over SSE. */
export type ReplayEvent =
  | { readonly type: 'phase'; readonly phase: 'reading' | 'replaying' }
  | { readonly type: 'progress'; readonly done: number; readonly total: number }
  | {
      readonly type: 'done';
      readonly matched: number;
      readonly alreadyReplayed: number;
      readonly replayed: number;
      readonly elapsedMs: number;
      readonly cancelled: boolean;
    }
  | { readonly type: 'error'; readonly message: string };

interface Job {
  view: ReplayJobView;
  readonly events: ReplayEvent[];
  readonly listeners: Set<(e: ReplayEvent) => void>;
  readonly abort: AbortController;
}

/** A replay is already running: the engine allows one at a time per ledger (a second would fence the first). */
export class ReplayBusyError extends Error {
  constructor(readonly running: string) {
    super(`replay ${running} is still running`);
    this.name = 'ReplayBusyError';
  }
}

const KEEP_JOBS = 20;

/**
 * Replays started from the console, run by the same engine and ledger as `leadctl dlq replay`
 * (libs/dead-letters): each chunk is one transaction that publishes the leads and their ledger entries, so a dead
 * letter is never replayed twice, whoever replays it. One job at a time; the last few are kept for their pages.
 */
export class ReplayJobs {
  private readonly jobs = new Map<string, Job>();
  private running: Job | undefined;

  constructor(
    private readonly store: DeadLetterStore,
    private readonly logger: Logger,
    /** The audit trail (`leads.audit`): each replay that ran leaves one record (who, filter, count). */
    private readonly audit?: { append(entry: AuditEntry): Promise<unknown> },
  ) {}

  start(filter: DeadLetterFilter, raw: RawFilterBody, by: string, rate?: number): ReplayJobView {
    if (this.running) throw new ReplayBusyError(this.running.view.id);
    const job: Job = {
      view: {
        id: randomUUID(),
        state: 'running',
        by,
        filter: raw,
        startedAt: new Date().toISOString(),
        finishedAt: null,
        done: 0,
        total: null,
        matched: null,
        alreadyReplayed: null,
        replayed: null,
        error: null,
      },
      events: [],
      listeners: new Set(),
      abort: new AbortController(),
    };
    this.jobs.set(job.view.id, job);
    if (this.jobs.size > KEEP_JOBS) this.jobs.delete(this.jobs.keys().next().value as string);
    this.running = job;
    void this.run(job, filter, rate);
    return job.view;
  }

  get(id: string): ReplayJobView | undefined {
    return this.jobs.get(id)?.view;
  }

  /** Every event so far, then each new one, until `done` or `error`; returns an unsubscribe. */
  follow(id: string, listener: (e: ReplayEvent) => void): (() => void) | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    for (const e of job.events) listener(e);
    job.listeners.add(listener);
    return () => job.listeners.delete(listener);
  }

  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || job.view.state !== 'running') return false;
    job.abort.abort();
    return true;
  }

  /** Stops a running replay between transactions (what was committed stays committed and in the ledger). */
  async stop(): Promise<void> {
    const job = this.running;
    if (!job) return;
    job.abort.abort();
    await new Promise<void>((resolve) => {
      if (job.view.state !== 'running') return resolve();
      job.listeners.add((e) => (e.type === 'done' || e.type === 'error') && resolve());
    });
  }

  private emit(job: Job, e: ReplayEvent): void {
    job.events.push(e);
    for (const l of job.listeners) l(e);
  }

  private async run(job: Job, filter: DeadLetterFilter, rate: number | undefined): Promise<void> {
    const t0 = Date.now();
    this.emit(job, { type: 'phase', phase: 'reading' });
    let announced = false;
    try {
      const report = await this.store.replay(filter, {
        by: job.view.by,
        signal: job.abort.signal,
        ...(rate ? { rate } : {}),
        onProgress: ({ done, total }) => {
          if (!announced) {
            announced = true;
            this.emit(job, { type: 'phase', phase: 'replaying' });
          }
          job.view = { ...job.view, done, total };
          this.emit(job, { type: 'progress', done, total });
        },
      });
      const cancelled = job.abort.signal.aborted;
      job.view = {
        ...job.view,
        state: cancelled ? 'cancelled' : 'done',
        finishedAt: new Date().toISOString(),
        done: report.replayed,
        total: job.view.total ?? report.replayed,
        matched: report.matched,
        alreadyReplayed: report.alreadyReplayed,
        replayed: report.replayed,
      };
      this.logger.info(
        { replay: job.view.id, by: job.view.by, matched: report.matched, replayed: report.replayed, cancelled },
        'console replay finished',
      );
      // The leads are published already: a record that cannot be written is logged loudly, not undone.
      await this.audit
        ?.append({
          actor: job.view.by,
          action: 'deadletters.replay',
          replay: { filter: auditFilter(filter), count: report.replayed, auto: false },
        })
        .catch((err: unknown) => this.logger.error({ replay: job.view.id, err }, 'replay audit record not written'));
      this.emit(job, {
        type: 'done',
        matched: report.matched,
        alreadyReplayed: report.alreadyReplayed,
        replayed: report.replayed,
        elapsedMs: Date.now() - t0,
        cancelled,
      });
    } catch (err) {
      const message =
        err instanceof ReplayFencedError ? err.message : 'the replay failed; what was replayed is in the ledger';
      this.logger.error({ replay: job.view.id, err }, 'console replay failed');
      job.view = { ...job.view, state: 'failed', finishedAt: new Date().toISOString(), error: message };
      this.emit(job, { type: 'error', message });
    } finally {
      this.running = undefined;
    }
  }
}
