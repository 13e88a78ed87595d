import type { InboundRecord, OutboundRecord } from './records';
import { decide, outboundFor, type PlanContext } from './plan-record';
import type { RouteDecision } from './route';

/**
 * Decides every record of a batch. A record that makes the router throw (a bug) is dead-lettered as
 * INTERNAL.UNEXPECTED instead of failing the batch, so it never blocks its partition.
 */
function safeDecide(record: InboundRecord, ctx: PlanContext): RouteDecision {
  try {
    return decide(record, ctx);
  } catch (err) {
    const message = `the router failed on this record: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    return { kind: 'dead-letter', errorClass: 'INTERNAL.UNEXPECTED', message: message.slice(0, 2_000) };
  }
}

const unconfigured = (d: RouteDecision) => d.kind === 'dead-letter' && d.errorClass === 'ROUTER.OFFER_NOT_CONFIGURED';

/**
 * Plans the records to write for a batch. An offer without a destination may only mean the offer table
 * has not yet read a configuration written a moment ago (ingest sends a validation lead right after a
 * PUT): before such a lead is dead-lettered, `syncOffers` brings the table up to date and it is decided
 * again. Only misses pay for that round trip.
 */
export async function planBatch(
  records: readonly InboundRecord[],
  ctx: PlanContext,
  syncOffers: () => Promise<unknown>,
): Promise<OutboundRecord[]> {
  let decisions = records.map((r) => safeDecide(r, ctx));
  if (decisions.some(unconfigured)) {
    await syncOffers();
    decisions = decisions.map((d, i) => (unconfigured(d) ? safeDecide(records[i] as InboundRecord, ctx) : d));
  }
  return records.map((r, i) => outboundFor(r, decisions[i] as RouteDecision, ctx));
}
