import type { Registry } from 'prom-client';
import type { Lead } from '@leadflow/lead-model';
import { cappedLabel, type Logger } from '@leadflow/observability';
import type { BatchSink, DeliveryOutcome } from '@leadflow/sink-runtime';
import { MarketoApi, type MarketoDestination } from './marketo-api';
import { classifyMarketo } from './marketo-classify';
import { EmailQueue, personKey } from './email-queue';
import { recordOutcome } from './marketo-envelope';
import { MarketoError } from './marketo-errors';
import {
  chunk,
  jsonBytes,
  submitFormBody,
  syncLeadRecord,
  syncLeadsBody,
  SYNC_LEADS_MAX_RECORDS,
} from './marketo-mapping';
import { createMarketoMetrics } from './marketo-metrics';
import { MarketoPacer, systemClock, type PacerClock, type PacerLimits } from './marketo-pacer';

/** Beyond Marketo's window: clocks and the two instances' views of one rebalance differ by a little. */
const HANDOVER_MARGIN_MS = 1_000;

export interface MarketoSinkOptions {
  readonly limits: PacerLimits;
  readonly registry: Registry;
  readonly logger?: Logger;
  readonly clock?: PacerClock;
  /**
   * How long the leads of a partition this instance newly gained wait before their first call
   * (LEADFLOW_MARKETO_HANDOVER_MS; the sink runtime holds them, see `Sink.handoverMs`): Marketo's window plus a margin
   * by default, so that the previous owner's calls have left the window. 0 only where no other instance ever ran (a
   * test of one instance).
   */
  readonly handoverMs?: number;
}

/**
 * Marketo: Sync Leads (≤ 300 leads a call, upsert on e-mail) or, when the offer names a form, Submit Form (one lead
 * a call, a "Fills out Form" activity). Every lead gets its own outcome: a skipped record fails only itself.
 */
export function marketoSink(o: MarketoSinkOptions): BatchSink<'marketo'> {
  const metrics = createMarketoMetrics(o.registry);
  // One series per Marketo instance (its quota is per instance), up to 100 instances; the rest share "other".
  const instance = cappedLabel(100);
  const pacer = new MarketoPacer(o.limits, o.clock ?? systemClock, {
    granted: (munchkinId, used) => metrics.quotaUsed.set({ munchkin_id: instance(munchkinId) }, used),
  });
  const api = new MarketoApi({
    pacer,
    onCall: (endpoint, munchkinId) => metrics.calls.inc({ endpoint, munchkin_id: instance(munchkinId) }),
    onThrottle: (code, munchkinId) => {
      metrics.throttled.inc({ code, munchkin_id: instance(munchkinId) });
      o.logger?.warn({ munchkinId, code }, 'Marketo refused a call for its limits; pacing holds back');
    },
  });

  const people = new EmailQueue();

  async function syncLeads(
    leads: readonly Lead[],
    d: MarketoDestination,
    signal: AbortSignal,
  ): Promise<DeliveryOutcome[]> {
    const records = leads.map(syncLeadRecord);
    try {
      const keys = leads.map((l) => personKey(d.munchkinId, l.customer.email));
      const result = await people.run(keys, () => api.post(d, 'syncLeads', syncLeadsBody(records), signal));
      if (result.length !== leads.length) {
        const error = new MarketoError('syncLeads', 'record', 'count', `${result.length} results for ${leads.length}`);
        return leads.map(() => ({ ok: false, error }));
      }
      return result.map((r) => recordOutcome('syncLeads', r, Date.now()));
    } catch (error) {
      return leads.map(() => ({ ok: false, error }));
    }
  }

  async function submitForm(lead: Lead, d: MarketoDestination, formId: number, signal: AbortSignal) {
    try {
      const [r] = await people.run([personKey(d.munchkinId, lead.customer.email)], () =>
        api.post(d, 'submitForm', submitFormBody(formId, lead), signal),
      );
      return recordOutcome('submitForm', r, Date.now());
    } catch (error) {
      return { ok: false, error } as const;
    }
  }

  return {
    type: 'marketo',
    batch: { maxSize: SYNC_LEADS_MAX_RECORDS, lingerMs: 20 },
    classify: classifyMarketo,
    handoverMs: o.handoverMs ?? o.limits.windowMs + HANDOVER_MARGIN_MS,
    async deliverBatch(leads, destination, ctx) {
      const outcomes: DeliveryOutcome[] = leads.map(() => ({ ok: true }));
      // Marketo keys people on e-mail. A lead without one (PII suppressed for a .edu customer) is not sent, as the
      // marketplace itself sends no CRM lead for them.
      const sendable = leads.flatMap((lead, i) => (lead.customer.email ? [{ lead, i }] : []));
      const withheld = leads.length - sendable.length;
      if (withheld > 0) metrics.skipped.inc({ reason: 'no-email' }, withheld);
      const formId = destination.formId;
      if (formId !== undefined) {
        await Promise.all(
          sendable.map(async ({ lead, i }) => {
            outcomes[i] = await submitForm(lead, destination, formId, ctx.signal);
          }),
        );
        return outcomes;
      }
      const runs = chunk(sendable, ({ lead }) => jsonBytes(syncLeadRecord(lead)));
      await Promise.all(
        runs.map(async (run) => {
          const results = await syncLeads(
            run.map((x) => x.lead),
            destination,
            ctx.signal,
          );
          run.forEach(({ i }, k) => {
            outcomes[i] = results[k] ?? { ok: false, error: new Error('no outcome') };
          });
        }),
      );
      return outcomes;
    },
  };
}
