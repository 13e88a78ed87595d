import { ReplayLedgerEntrySchema } from '@leadflow/lead-model';
import { decodeLedgerEntry, encodeLedgerEntry } from './ledger';

/** What a replay writes to leads.replay.ledger is what docs/asyncapi.yaml states for it. */
describe('replay ledger entries against the contract schema', () => {
  it('an entry as written is one the schema accepts, keyed by the position it replays', () => {
    const entry = {
      replayOf: 'leads.dlq.https/2/118',
      replayedAt: new Date().toISOString(),
      by: 'auto-replay contoso.crm-connector v4',
      leadId: '0190d3c2-8e4b-7a51-9f3e-2c4b5a6d7e8f',
      offerId: 'contoso.crm-connector',
    };
    const { key, value } = encodeLedgerEntry(entry);
    expect(key).toBe(entry.replayOf);
    expect(ReplayLedgerEntrySchema.safeParse(JSON.parse(value)).error).toBeUndefined();
    expect(decodeLedgerEntry(key, Buffer.from(value))).toEqual(entry);
  });

  it('an entry without the optional lead and offer is one too', () => {
    const { value } = encodeLedgerEntry({
      replayOf: 'leads.dlq.router/0/7',
      replayedAt: new Date().toISOString(),
      by: 'ops',
    });
    expect(ReplayLedgerEntrySchema.safeParse(JSON.parse(value)).error).toBeUndefined();
  });
});
