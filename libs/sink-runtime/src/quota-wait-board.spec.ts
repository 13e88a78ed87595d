import { createLogger } from '@leadflow/observability';
import { QuotaWaitBoard } from './quota-wait-board';

const logger = createLogger({ service: 'quota-wait-board-test', level: 'silent' });
const NOW = new Date('2026-01-02T17:00:00.000Z');
const HOUR = 3_600_000;

/** A producer that keeps what it was asked to send (the board's only collaborator), failing when told to. */
function recordingProducer() {
  const sent: { key: string; value: string | null }[] = [];
  let failing = false;
  return {
    sent,
    fail: (on: boolean) => (failing = on),
    producer: {
      send: async ({ messages }: { messages: { key: string; value: string | null }[] }) => {
        if (failing) throw new Error('broker gone');
        sent.push(...messages);
        return [];
      },
    },
  };
}

const board = (p: ReturnType<typeof recordingProducer>) =>
  new QuotaWaitBoard({
    producer: p.producer as never,
    topic: 'offers.quota-waits',
    type: 'salesforce',
    logger,
    coalesceMs: 60_000,
    now: () => NOW,
  });

describe('QuotaWaitBoard', () => {
  it('publishes one record per offer and account: how many leads wait and when the last will be sent', async () => {
    const p = recordingProducer();
    const b = board(p);
    const t0 = NOW.getTime();
    b.hold('contoso.a', 'salesforce:00D1', t0 + HOUR, 'SALESFORCE.DAILY_LIMIT');
    const second = b.hold('contoso.a', 'salesforce:00D1', t0 + 2 * HOUR, 'SALESFORCE.DAILY_LIMIT');
    b.hold('contoso.b', 'salesforce:00D1', t0 + HOUR, 'SALESFORCE.DAILY_LIMIT');
    await b.flush();
    expect(p.sent.map((m) => [m.key, JSON.parse(m.value ?? 'null')])).toEqual([
      [
        'contoso.a|salesforce:00D1',
        {
          offerId: 'contoso.a',
          account: 'salesforce:00D1',
          destination: 'salesforce',
          leads: 2,
          until: '2026-01-02T19:00:00.000Z',
          errorClass: 'SALESFORCE.DAILY_LIMIT',
          updatedAt: NOW.toISOString(),
        },
      ],
      ['contoso.b|salesforce:00D1', expect.objectContaining({ leads: 1, until: '2026-01-02T18:00:00.000Z' })],
    ]);
    second();
    second();
    await b.flush();
    expect(JSON.parse(p.sent[2]?.value ?? 'null')).toMatchObject({ leads: 1, until: '2026-01-02T18:00:00.000Z' });
  });

  it('writes a tombstone once no lead waits, and publishes again after a failed send', async () => {
    const p = recordingProducer();
    const b = board(p);
    const release = b.hold('contoso.a', 'contoso.a', NOW.getTime() + HOUR, 'MARKETO.QUOTA_EXCEEDED');
    p.fail(true);
    await b.flush();
    expect(p.sent).toEqual([]);
    release();
    p.fail(false);
    await b.flush();
    expect(p.sent).toEqual([{ key: 'contoso.a|contoso.a', value: null }]);
  });

  it("does not show short waits (a pacer's slot), only a quota's", async () => {
    const p = recordingProducer();
    const b = board(p);
    b.hold('contoso.a', 'marketo:123-ABC-456', NOW.getTime() + 1_000, 'MARKETO.QUOTA_EXCEEDED');
    await b.flush();
    expect(p.sent).toEqual([]);
  });
});
