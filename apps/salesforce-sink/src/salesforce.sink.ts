import { DESTINATION_DEFAULTS, leadflowError, type DestinationOf, type Lead } from '@leadflow/lead-model';
import type { Logger } from '@leadflow/observability';
import type { BatchDeliveryContext, BatchSink, DeliveryOutcome } from '@leadflow/sink-runtime';
import type { Registry } from 'prom-client';
import { DailyQuota } from './daily-quota';
import { personalValues, toLeadRecord, toWebToLeadForm } from './lead-mapping';
import { DEFAULT_API_VERSION, requestSession, writeLeads } from './salesforce-api.client';
import { classifySalesforce } from './salesforce.classifier';
import { fromErrorBody, SalesforceApiError } from './salesforce.errors';
import { createSalesforceMetrics, type SalesforceMetrics } from './salesforce.metrics';
import { grantKey, TokenCache, type GrantKey } from './token-cache';
import { postWebToLead } from './web-to-lead.client';

type SalesforceDestination = DestinationOf<'salesforce'>;
type WebToLeadDestination = Extract<SalesforceDestination, { mode: 'web-to-lead' }>;
type ApiDestination = Extract<SalesforceDestination, { mode: 'api' }>;

/** sObject Collections take at most 200 records per call (REST API Developer Guide, "sObject Collections"). */
export const COLLECTION_LIMIT = 200;
/** Web-to-Lead posts in flight at once for one batch (one form per lead). */
const WEB_TO_LEAD_CONCURRENCY = 8;

export interface SalesforceSinkOptions {
  readonly registry: Registry;
  readonly logger?: Logger;
  /** Web-to-Lead requests per org and UTC day (Salesforce's limit: 500). */
  readonly webToLeadDailyLimit?: number;
  /** Connected apps whose session is kept. */
  readonly tokenCacheSize?: number;
  readonly now?: () => number;
}

/**
 * The destination's external-id field. Read loosely: the API destination's schema gains `externalIdField` in
 * lead-model; until then it passes through the offer table as stored.
 */
function externalIdFieldOf(destination: ApiDestination): string | undefined {
  const value = (destination as { externalIdField?: unknown }).externalIdField;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Salesforce in both modes. Web-to-Lead posts the marketplace's own form, one per lead, within the org's daily
 * limit, and can only report `unconfirmed`. The API mode writes the ready leads of one offer in one sObject
 * Collections call with `allOrNone: false`, so one bad record fails only itself.
 */
export function salesforceSink(opts: SalesforceSinkOptions): BatchSink<'salesforce'> {
  const metrics = createSalesforceMetrics(opts.registry);
  const now = opts.now ?? Date.now;
  const quota = new DailyQuota(opts.webToLeadDailyLimit ?? 500, now);
  const tokens = new TokenCache(opts.tokenCacheSize ?? 1_000);
  const waiting = new WaitingLeads(metrics, now);
  /** `orgId@waitUntil` already logged: one line per org and day, not one per lead. */
  const limitLogged = new Set<string>();

  async function webToLead(
    leads: readonly Lead[],
    d: WebToLeadDestination,
    ctx: BatchDeliveryContext,
  ): Promise<DeliveryOutcome[]> {
    const url = d.webToLeadUrl ?? DESTINATION_DEFAULTS.webToLeadUrl;
    // Today's requests are taken in the batch's order before any post, so the earliest leads go first.
    const slots = leads.map((lead) => {
      const slot = quota.take(d.orgId);
      if (!slot.ok) {
        waiting.add(lead.leadId);
        const key = `${d.orgId}@${slot.waitUntil}`;
        if (!limitLogged.has(key)) {
          if (limitLogged.size > 10_000) limitLogged.clear();
          limitLogged.add(key);
          opts.logger?.warn(
            {
              orgId: d.orgId,
              offerId: lead.offerId,
              limit: quota.limit,
              waitUntil: new Date(slot.waitUntil).toISOString(),
            },
            "the org's Web-to-Lead daily limit is used up; its leads wait until 00:00 UTC",
          );
        }
      }
      return slot;
    });
    return mapLimit(leads, WEB_TO_LEAD_CONCURRENCY, async (lead, i): Promise<DeliveryOutcome> => {
      const slot = slots[i];
      if (!slot?.ok) {
        metrics.dailyLimitDeferrals.inc();
        const error = leadflowError(
          'SALESFORCE.DAILY_LIMIT',
          `the org's ${quota.limit} Web-to-Lead requests of today (UTC) are used; the lead waits until 00:00 UTC`,
          { waitUntil: slot?.waitUntil ?? now() },
        );
        return { ok: false, error };
      }
      try {
        await postWebToLead(url, toWebToLeadForm(lead, d.orgId), ctx.signal);
        metrics.webToLeadPosts.inc({ result: 'answered' });
        waiting.remove(lead.leadId);
        return { ok: true, unconfirmed: true };
      } catch (error) {
        metrics.webToLeadPosts.inc({ result: 'failed' });
        quota.giveBack(d.orgId);
        return { ok: false, error };
      }
    });
  }

  async function api(leads: readonly Lead[], d: ApiDestination, ctx: BatchDeliveryContext): Promise<DeliveryOutcome[]> {
    const externalIdField = externalIdFieldOf(d);
    const grant: GrantKey = {
      loginUrl: d.loginUrl ?? DESTINATION_DEFAULTS.salesforceLoginUrl,
      clientId: d.clientId,
      clientSecret: d.clientSecret,
      // Username-password flow only when both are given; otherwise the connected app's client credentials.
      ...(d.username && d.password ? { username: d.username, password: d.password } : {}),
    };
    const key = grantKey(grant);
    const records = leads.map((lead) => toLeadRecord(lead, externalIdField));
    const onCall = (endpoint: string, ok: boolean) => metrics.apiCalls.inc({ endpoint, result: ok ? 'ok' : 'error' });
    const session = () =>
      tokens.get(key, async () => {
        try {
          const s = await requestSession(grant, ctx.signal);
          onCall('token', true);
          return s;
        } catch (err) {
          onCall('token', false);
          throw err;
        }
      });
    const write = { apiVersion: d.apiVersion ?? DEFAULT_API_VERSION, externalIdField, signal: ctx.signal, onCall };

    const outcomes: DeliveryOutcome[] = [];
    for (let start = 0; start < leads.length; start += COLLECTION_LIMIT) {
      const chunk = records.slice(start, start + COLLECTION_LIMIT);
      let results;
      try {
        let s = await session();
        try {
          results = await writeLeads(s, chunk, write);
        } catch (err) {
          if (!(err instanceof SalesforceApiError && err.code === 'INVALID_SESSION_ID')) throw err;
          // The session expired or was revoked: one new grant, one more try (a second refusal is classified).
          opts.logger?.info(
            { offerId: leads[0]?.offerId },
            'Salesforce refused the session (INVALID_SESSION_ID): new token',
          );
          await tokens.invalidate(key, s);
          s = await session();
          results = await writeLeads(s, chunk, write);
        }
      } catch (err) {
        outcomes.push(...chunk.map((): DeliveryOutcome => ({ ok: false, error: err })));
        continue;
      }
      results.forEach((r, j) => {
        const lead = leads[start + j];
        if (!lead) return;
        if (r.ok) outcomes.push({ ok: true, externalId: r.id });
        else outcomes.push({ ok: false, error: fromErrorBody(r.errors, personalValues(lead)) });
      });
    }
    if (!externalIdField) {
      // Without an external id a repeat is a second create: a crash between Salesforce's answer and the commit
      // (or an answer lost to a timeout) leaves a duplicate Lead. Counted so that it is visible.
      leads.forEach((_, i) => {
        if ((ctx.attempts[i] ?? 1) > 1) metrics.duplicateRisk.inc();
      });
    }
    return outcomes;
  }

  return {
    type: 'salesforce',
    batch: { maxSize: COLLECTION_LIMIT, lingerMs: 20 },
    classify: classifySalesforce,
    async deliverBatch(leads, destination, ctx) {
      if (leads.length === 0) return [];
      return destination.mode === 'web-to-lead' ? webToLead(leads, destination, ctx) : api(leads, destination, ctx);
    },
  };
}

/** Leads held back by the daily limit today, for the gauge (a lead counts once, however often it is retried). */
class WaitingLeads {
  private readonly ids = new Set<string>();
  private day = -1;

  constructor(
    private readonly metrics: SalesforceMetrics,
    private readonly now: () => number,
  ) {}

  add(leadId: string): void {
    this.roll();
    this.ids.add(leadId);
    this.metrics.dailyLimitWaiting.set(this.ids.size);
  }

  remove(leadId: string): void {
    this.roll();
    if (this.ids.delete(leadId)) this.metrics.dailyLimitWaiting.set(this.ids.size);
  }

  private roll(): void {
    // Yesterday's waiting leads are retried today: they count again only if refused again.
    const day = Math.floor(this.now() / 86_400_000);
    if (day !== this.day) {
      this.day = day;
      this.ids.clear();
      this.metrics.dailyLimitWaiting.set(0);
    }
  }
}

/** Maps with at most `limit` calls in flight, keeping the input's order in the output. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) {
      const item = items[i] as T;
      out[i] = await fn(item, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
