import type { ConsoleIndex, HistoryStep, Selection } from '../index/console-index';
import type { OfferDirectory } from '../index/offer-directory';
import type { OfferQuotaWaits } from '../index/quota-waits';
import type { HistoryStepView, LeadHistory, OfferView, Overview } from './api.schemas';

export interface QueriesDeps {
  readonly index: ConsoleIndex;
  readonly offers: OfferDirectory;
  /** `offers.quota-waits`; absent, no offer shows a wait. */
  readonly quotaWaits?: OfferQuotaWaits;
  readonly ready: () => boolean;
  /** A trace viewer URL with `{traceId}`; absent when tracing is off. */
  readonly traceUrl?: string;
  readonly now?: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The read side of the console: pages' answers from the index and the offer directory, nothing from Kafka. */
export class ConsoleQueries {
  private readonly now: () => number;

  constructor(private readonly d: QueriesDeps) {
    this.now = d.now ?? Date.now;
  }

  /** `keep`: the offers a scoped caller may see (absent: every offer). */
  overview(keep?: (offerId: string | undefined) => boolean): Overview {
    return { ready: this.d.ready(), ...this.d.index.overview(this.now(), keep) };
  }

  offers(keep: (offerId: string) => boolean = () => true) {
    const ids = new Set([...this.d.offers.offerIds(), ...this.d.index.offerIds()]);
    return {
      offers: [...ids]
        .filter(keep)
        .sort()
        .map((offerId) => {
          const dest = this.d.offers.masked(offerId);
          const traffic = this.d.index.offer(offerId);
          return {
            offerId,
            type: dest?.type ?? null,
            version: dest?.version ?? null,
            delivered: traffic.delivered,
            deadLetters: traffic.deadLetters,
          };
        }),
    };
  }

  offer(offerId: string): OfferView | undefined {
    const destination = this.d.offers.masked(offerId);
    const versions = this.d.offers.versionsOf(offerId);
    const traffic = this.d.index.offer(offerId);
    const quotaWaits = this.d.quotaWaits?.of(offerId, this.now()) ?? [];
    if (
      !destination &&
      versions.length === 0 &&
      traffic.delivered === 0 &&
      traffic.deadLetters === 0 &&
      quotaWaits.length === 0
    )
      return undefined;
    return {
      offerId,
      destination,
      versions: [...versions],
      validation: traffic.validation ?? null,
      delivered: traffic.delivered,
      deadLetters: traffic.deadLetters,
      recentDeliveries: traffic.recentDeliveries.map(
        ({ leadId, at, destination: dest, externalId, attempts, isTest }) => ({
          leadId,
          at,
          destination: dest,
          ...(externalId ? { externalId } : {}),
          attempts,
          isTest,
        }),
      ),
      recentDeadLetters: traffic.recentDeadLetters,
      autoReplays: traffic.autoReplays.map((e) => ({
        replayOf: e.replayOf,
        replayedAt: e.replayedAt,
        by: e.by,
        ...(e.leadId ? { leadId: e.leadId } : {}),
      })),
      quotaWaits,
    };
  }

  lead(leadId: string): LeadHistory | undefined {
    const steps = this.d.index.history(leadId);
    if (!steps) return undefined;
    const views = steps.map((s) => this.step(s));
    const last = [...steps].reverse().find((s) => s.kind !== 'routed' && s.kind !== 'accepted');
    const state =
      last?.kind === 'delivered'
        ? 'delivered'
        : last?.kind === 'dead-lettered'
          ? 'dead-lettered'
          : last?.kind === 'replayed'
            ? 'replayed'
            : 'in-flight';
    const traced = views.find((v) => v.traceUrl);
    return {
      leadId,
      offerId: views.find((v) => v.offerId)?.offerId ?? null,
      state,
      steps: views,
      traceUrl: traced?.traceUrl ?? null,
    };
  }

  /** The newest `limit` of a selection (`pendingOnly`: of those a replay would publish) and how many it holds. */
  deadLetters(selected: Selection, limit: number, pendingOnly = false) {
    const newest = selected.newest(limit, pendingOnly);
    return {
      deadLetters: newest.map((d) => this.d.index.deadLetterView(d)),
      total: pendingOnly ? selected.wouldReplay : selected.matched,
    };
  }

  private trace(traceId: string | undefined): string | undefined {
    return traceId && this.d.traceUrl ? this.d.traceUrl.replace('{traceId}', traceId) : undefined;
  }

  private step(s: HistoryStep): HistoryStepView {
    switch (s.kind) {
      case 'accepted': {
        const traceUrl = this.trace(s.traceId);
        return s.replayOf
          ? {
              kind: 'replayed-in',
              at: iso(s.at),
              title: 'Re-entered the pipeline (replay)',
              detail: `replay of dead letter ${s.replayOf}${s.replayBy ? ` by ${s.replayBy}` : ''}`,
              offerId: s.offerId,
              ...(s.replayBy ? { by: s.replayBy } : {}),
              ...(traceUrl ? { traceUrl } : {}),
            }
          : {
              kind: 'accepted',
              at: iso(s.at),
              title: s.isTest ? 'Accepted (validation lead)' : 'Accepted',
              detail: `on leads.ingested for offer ${s.offerId}`,
              offerId: s.offerId,
              ...(traceUrl ? { traceUrl } : {}),
            };
      }
      case 'routed':
        return { kind: 'routed', at: iso(s.at), title: 'Routed', detail: `to ${s.topic}`, offerId: s.offerId };
      case 'delivered':
        return {
          kind: 'delivered',
          at: iso(s.at),
          title: `Delivered to ${s.destination}`,
          detail: `after ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}${s.externalId ? `; CRM record ${s.externalId}` : ''}`,
          offerId: s.offerId,
          ...(s.externalId ? { externalId: s.externalId } : {}),
        };
      case 'dead-lettered':
        return {
          kind: 'dead-lettered',
          at: iso(s.at),
          title: `Dead-lettered by ${s.deadLetter.stage}: ${s.deadLetter.errorClass}`,
          detail: s.deadLetter.message,
          ...(s.deadLetter.offerId ? { offerId: s.deadLetter.offerId } : {}),
          deadLetter: this.d.index.deadLetterView(s.deadLetter),
        };
      case 'replayed':
        return {
          kind: 'replayed',
          at: iso(s.at),
          title: `Replayed by ${s.entry.by}`,
          detail: `dead letter ${s.entry.replayOf}`,
          by: s.entry.by,
          ...(s.entry.offerId ? { offerId: s.entry.offerId } : {}),
        };
    }
  }
}
