import { trace } from '@opentelemetry/api';
import {
  isLeadflowError,
  leadflowError,
  quotaAccount,
  type DestinationOf,
  type DestinationType,
  type Lead,
  type LeadflowError,
} from '@leadflow/lead-model';
import { errorSummary, sleep, type RetryPolicy } from '@leadflow/retry';
import type { Circuit } from './circuit';
import type { SinkMetrics } from './metrics';
import { nextStep, type Budget } from './next-step';
import type { OfferDestinations } from './offer-destinations';
import type { QuotaWaitBoard } from './quota-wait-board';
import type { Settlement, TakenRecord } from './settlement';
import type { DeliveryResult } from './sink.port';

/** Shutdown gave up on an unfinished delivery: not settled, not committed, replayed by the partition's next owner. */
export class HandedBack extends Error {}

export interface LeadDeliveryOptions<T extends DestinationType> {
  readonly type: T;
  readonly destinations: OfferDestinations<T>;
  readonly circuit: Circuit;
  /** One attempt at the destination (a call of its own, or a place in the offer's next batch). */
  readonly attempt: (
    lead: Lead,
    destination: DestinationOf<T>,
    version: number,
    attempt: number,
    /** Aborted at shutdown or when the lead's partition moved to another instance. */
    gone: AbortSignal,
  ) => Promise<DeliveryResult>;
  /** The sink's classifier. */
  readonly classify: (err: unknown) => LeadflowError;
  readonly settlement: Settlement;
  readonly retry: RetryPolicy;
  /**
   * Runs one attempt of an offer's lead when its turn comes (the offer's and the instance's limits on attempts at
   * once). Only the attempt holds a place: a lead waiting for a retry, a quota or its offer's turn holds none, so an
   * offer whose destination hangs or throttles takes no other offer's turn.
   */
  readonly gate: <R>(offerId: string, attempt: () => Promise<R>) => Promise<R>;
  readonly metrics: SinkMetrics;
  readonly shutdown: AbortSignal;
  /** Where leads waiting for a quota are shown (offers.quota-waits), when the sink publishes them. */
  readonly quotaWaits?: QuotaWaitBoard;
}

/**
 * One lead from taken to settled: attempts at its offer's current destination until it is delivered (receipt) or
 * dead-lettered (classified), retrying transient errors within the budget and waiting out quotas. The decisions are
 * `nextStep`'s and the circuit's; this is the loop that carries them out.
 */
export class LeadDelivery<T extends DestinationType> {
  private readonly label: { sink: T };

  constructor(private readonly o: LeadDeliveryOptions<T>) {
    this.label = { sink: o.type };
  }

  /** Resolves once the lead is settled; throws HandedBack at shutdown, or what writing its settlement threw. */
  async deliver(taken: TakenRecord & { readonly takenAt: number }, lead: Lead): Promise<void> {
    const { settlement, circuit, shutdown } = this.o;
    // Shutdown, or the partition moved to another instance: either way the lead is handed back, not settled.
    const gone = taken.lease ? AbortSignal.any([shutdown, taken.lease]) : shutdown;
    // A newly gained partition's handover: a wait before the first attempt, not an attempt (it holds no attempt slot).
    const handover = (taken.notBefore ?? 0) - Date.now();
    if (handover > 0) {
      await sleep(handover, gone);
      if (gone.aborted) throw new HandedBack();
    }
    let attempts = 0;
    let budget: Budget = { attempts: 0, startedAt: Date.now() };
    for (;;) {
      if (taken.lease?.aborted) throw new HandedBack();
      const target = this.o.destinations.current(lead.offerId);
      if (isLeadflowError(target)) return settlement.deadLettered(taken, { error: target, attempts, exhausted: false });
      const version = target.version;
      const broken = circuit.brokenBy(lead.offerId, version);
      if (broken) return settlement.deadLettered(taken, { error: broken, attempts, exhausted: false, version });
      attempts++;
      budget = { ...budget, attempts: budget.attempts + 1 };
      try {
        const result = await this.o.gate(lead.offerId, () =>
          this.o.attempt(lead, target.destination, version, attempts, gone),
        );
        return await settlement.delivered(lead, attempts, result, taken.takenAt, taken);
      } catch (err) {
        if (taken.lease?.aborted) throw new HandedBack();
        const error = this.classify(err);
        const step = nextStep(error, budget, Date.now(), this.o.retry, gone.aborted);
        if (step.kind === 'dead-letter') {
          if (error.offerWide) circuit.trip(lead.offerId, version, error);
          if (lead.isTest)
            this.o.metrics.validationFailed.inc({ destination_type: this.o.type, error_class: error.code });
          return settlement.deadLettered(taken, { error, attempts, exhausted: step.exhausted, version });
        }
        if (step.kind === 'hand-back') throw new HandedBack();
        // The lead's process span shows each failed attempt and what came of it (the class only: no message).
        trace.getActiveSpan()?.addEvent('attempt failed', {
          'error.type': error.code,
          'leadflow.attempt': attempts,
          'leadflow.next': step.kind,
        });
        if (step.kind === 'retry') {
          this.o.metrics.retries.inc({ ...this.label, error_class: error.code });
          await sleep(step.delayMs, gone);
        } else {
          const account = quotaAccount(target.destination) ?? lead.offerId;
          await this.waitForQuota(step.delayMs, error, gone, { offerId: lead.offerId, account });
          budget = { attempts: 0, startedAt: Date.now() };
        }
        if (gone.aborted) throw new HandedBack();
      }
    }
  }

  /** A lead waiting hours for a quota holds no attempt slot: the other offers' leads keep flowing. */
  private async waitForQuota(
    ms: number,
    error: LeadflowError,
    gone: AbortSignal,
    of: { readonly offerId: string; readonly account: string },
  ): Promise<void> {
    const labels = { ...this.label, error_class: error.code };
    this.o.metrics.waiting.inc(labels);
    const release = this.o.quotaWaits?.hold(of.offerId, of.account, Date.now() + ms, error.code);
    this.o.metrics.quotaWaits.inc({ destination_type: this.o.type });
    try {
      await sleep(ms, gone);
    } finally {
      release?.();
      this.o.metrics.waiting.dec(labels);
    }
  }

  private classify(err: unknown): LeadflowError {
    try {
      return this.o.classify(err);
    } catch (bug) {
      return leadflowError('INTERNAL.UNEXPECTED', `classifier failed: ${errorSummary(bug)}`);
    }
  }
}
