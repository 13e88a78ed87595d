import { OfferDestinationRecordSchema } from '../destination';
import { DeadLetterHeadersSchema, DirectProducerHeadersSchema, LeadCloudEventHeadersSchema } from '../header-schemas';
import { parseDeadLetterHeaders } from '../headers';
import { parseLead } from '../lead';
import { parseLeadInput } from '../parse-input';
import { DeliveryReceiptSchema } from '../receipt';
import { ReplayLedgerEntrySchema } from '../replay-ledger';
import {
  INGESTED_EXAMPLES,
  OFFER_DESTINATION_EXAMPLES,
  RECEIPT_EXAMPLES,
  REPLAY_LEDGER_EXAMPLES,
  ROUTED_LEAD_EXAMPLE,
  ROUTER_DEAD_LETTER_EXAMPLES,
  SINK_DEAD_LETTER_EXAMPLE,
} from './examples';

/** The document's examples satisfy the very schemas it is generated from (the parser does not check examples). */
describe('AsyncAPI examples', () => {
  const ctx = { now: new Date('2026-01-02T03:04:05Z'), newLeadId: () => 'new-id' };

  it.each(
    Object.values(INGESTED_EXAMPLES)
      .flat()
      .map((e) => [e.name, e] as const),
  )('input example %s is accepted by the input parser (offer from the body, else the key)', (_name, e) => {
    const body = parseLeadInput(e.payload, ctx);
    const parsed = body.ok ? body : parseLeadInput(e.payload, { ...ctx, offerId: e.key ?? undefined });
    expect(parsed.ok ? [] : parsed.issues).toEqual([]);
    expect(DirectProducerHeadersSchema.safeParse(e.headers ?? {}).success).toBe(true);
  });

  it('routed lead: a canonical lead with the CloudEvents headers', () => {
    expect(parseLead(ROUTED_LEAD_EXAMPLE.payload).ok).toBe(true);
    expect(LeadCloudEventHeadersSchema.safeParse(ROUTED_LEAD_EXAMPLE.headers).error).toBeUndefined();
  });

  it.each([...ROUTER_DEAD_LETTER_EXAMPLES, SINK_DEAD_LETTER_EXAMPLE].map((e) => [e.name, e] as const))(
    'dead letter %s carries the dead-letter header set',
    (_name, e) => {
      expect(DeadLetterHeadersSchema.safeParse(e.headers).error).toBeUndefined();
      expect(parseDeadLetterHeaders({ ...e.headers }).ok).toBe(true);
    },
  );

  it('malformed router examples are refused by the input parser; the unconfigured offer is a valid lead', () => {
    for (const e of ROUTER_DEAD_LETTER_EXAMPLES) {
      const valid = typeof e.payload === 'object' && parseLeadInput(e.payload, { ...ctx, offerId: e.key ?? '' }).ok;
      expect({ name: e.name, valid }).toEqual({
        name: e.name,
        valid: e.headers?.['leadflow.error.class'] === 'ROUTER.OFFER_NOT_CONFIGURED',
      });
    }
  });

  it('receipts, offer destinations and ledger entries match their schemas (tombstones are null)', () => {
    for (const e of RECEIPT_EXAMPLES) expect(DeliveryReceiptSchema.safeParse(e.payload).error).toBeUndefined();
    for (const e of OFFER_DESTINATION_EXAMPLES) {
      if (e.payload === null) continue;
      expect(OfferDestinationRecordSchema.safeParse(e.payload).error).toBeUndefined();
      expect((e.payload as { offerId: string }).offerId).toBe(e.key);
    }
    expect(OFFER_DESTINATION_EXAMPLES.some((e) => e.payload === null)).toBe(true);
    for (const e of REPLAY_LEDGER_EXAMPLES) {
      expect(ReplayLedgerEntrySchema.safeParse(e.payload).error).toBeUndefined();
      expect((e.payload as { replayOf: string }).replayOf).toBe(e.key);
    }
  });

  it('the schemas refuse what the contract refuses', () => {
    expect(DeliveryReceiptSchema.safeParse({ ...(RECEIPT_EXAMPLES[0]?.payload as object), attempts: 0 }).success).toBe(
      false,
    );
    expect(
      DeadLetterHeadersSchema.safeParse({ ...SINK_DEAD_LETTER_EXAMPLE.headers, 'leadflow.error.class': 'NOPE' })
        .success,
    ).toBe(false);
    expect(LeadCloudEventHeadersSchema.safeParse({ ...ROUTED_LEAD_EXAMPLE.headers, traceparent: 'x' }).success).toBe(
      false,
    );
  });
});
