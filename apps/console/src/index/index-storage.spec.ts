import { randomUUID } from 'node:crypto';
import { ByteKeyTable } from './byte-key-table';
import { StringTable } from './columns';
import { DeadLetterColumns } from './dead-letter-columns';
import type { DeadLetterSummary } from './index-events';
import { LeadHistories, Step } from './lead-histories';

/** A small deterministic random source (the same run every time). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

describe('index storage', () => {
  it('ByteKeyTable finds exactly what a Map would through inserts and removals (probe runs included)', () => {
    const random = rng(7);
    const cap = 4_000;
    const keys = new Uint8Array(cap * 16);
    // A table far smaller than its keys' spread: long probe runs, wrapping around the end.
    const table = new ByteKeyTable(() => keys);
    const model = new Map<string, number>();
    const live: number[] = [];
    const free = Array.from({ length: cap }, (_, i) => cap - 1 - i);
    const keyOf = (slot: number) => Buffer.from(keys.subarray(slot * 16, slot * 16 + 16)).toString('hex');
    for (let step = 0; step < 40_000; step++) {
      if (free.length > 0 && (live.length === 0 || random() < 0.55)) {
        const slot = free.pop() as number;
        // Few distinct first and last bytes: many keys share a home.
        for (let i = 0; i < 16; i++)
          keys[slot * 16 + i] = i === 0 || i === 15 ? Math.floor(random() * 4) : Math.floor(random() * 256);
        table.insert(slot);
        model.set(keyOf(slot), slot);
        live.push(slot);
      } else {
        const slot = live.splice(Math.floor(random() * live.length), 1)[0] as number;
        table.remove(slot);
        model.delete(keyOf(slot));
        free.push(slot);
      }
      if (step % 997 === 0) for (const [hex, slot] of model) expect(table.first(Buffer.from(hex, 'hex'))).toBe(slot);
    }
    for (const [hex, slot] of model) expect(table.first(Buffer.from(hex, 'hex'))).toBe(slot);
    expect(table.first(new Uint8Array(16).fill(255))).toBe(-1);
  });

  it('DeadLetterColumns gives back each dead letter as it came, finds it by id, and lets the oldest go', () => {
    const strings = new StringTable();
    const cols = new DeadLetterColumns(strings, 3);
    const dl = (topic: string, offset: number, over: Partial<DeadLetterSummary> = {}): DeadLetterSummary => ({
      id: `${topic}/1/${offset}`,
      stage: 'https',
      offerId: 'contoso.crm',
      errorClass: 'HTTPS.ENDPOINT_REJECTED',
      category: 'configuration',
      message: `404 for ${offset}`,
      remediation: 'Fix the URL',
      failedAt: '2026-12-05T12:00:00.000Z',
      at: Date.parse('2026-12-05T12:00:00.000Z'),
      attempts: 2,
      sink: 'https-sink',
      destinationVersion: 3,
      isTest: offset % 2 === 0,
      ...over,
    });
    const a = dl('leads.dlq.https', 10);
    const b = dl('leads.dlq.https', 11, { failedAt: '2026-12-05T12:00:00Z', offerId: undefined, sink: undefined });
    const c = dl('leads.dlq.router', 5, { stage: 'router', attempts: undefined, destinationVersion: undefined });
    const odd = { ...dl('x', 1), id: 'not-a-position' };
    const slots = [a, b, c].map((d, i) => cols.add(d, i, 0));
    expect(slots.map((s, i) => cols.summary(s, `lead-${i}`))).toEqual([
      { ...a, leadId: 'lead-0' },
      { ...b, leadId: 'lead-1' },
      { ...c, leadId: 'lead-2' },
    ]);
    expect(cols.find('leads.dlq.https/1/11')).toBe(slots[1]);
    expect(cols.find('leads.dlq.https/1/12')).toBe(-1);
    expect(cols.evictOldest()).toEqual({ lead: 0, group: 0, id: a.id });
    expect(cols.find(a.id)).toBe(-1);
    // An offset that arrives out of order (a partition read again) is still found.
    const again = cols.add(dl('leads.dlq.https', 10), 7, 0);
    const o = cols.add(odd, 8, 0);
    expect(cols.find(a.id)).toBe(again);
    expect(cols.find('not-a-position')).toBe(o);
    expect([...cols.slots(true)].map((s) => cols.id(s))).toEqual(['not-a-position', a.id, c.id, b.id]);
    // Strings no row refers to any more are dropped.
    while (cols.evictOldest());
    expect(strings.find('404 for 11')).toBe(-1);
  });

  it('LeadHistories gives back ids (UUIDs as 16 bytes, others as text) and reuses slots safely', () => {
    const strings = new StringTable();
    const leads = new LeadHistories(strings, 2, 10);
    const ids = [randomUUID(), 'lead-7', randomUUID(), randomUUID()];
    const slots = ids.map((id) => leads.touch(id));
    // Two without dead letters at most: the oldest went.
    expect(leads.find(ids[0] as string)).toBe(-1);
    expect(leads.find(ids[1] as string)).toBe(-1);
    expect(leads.idOf(slots[3] as number)).toBe(ids[3]);
    leads.deadLetterAdded(slots[2] as number);
    leads.addStep(slots[2] as number, {
      kind: Step.routed,
      at: 1,
      offer: strings.acquire('o'),
      a: strings.acquire('t'),
      b: 0,
      flags: 0,
      extra: undefined,
    });
    const more = [randomUUID(), randomUUID(), randomUUID()].map((id) => [id, leads.touch(id)] as const);
    expect(leads.find(ids[2] as string)).toBe(slots[2]);
    expect([...leads.steps(slots[2] as number)].map((s) => s.kind)).toEqual([Step.routed]);
    expect(leads.find(more[0]?.[0] as string)).toBe(-1);
    for (const [id, slot] of more.slice(1)) expect(leads.idOf(slot)).toBe(id);
    leads.deadLetterGone(slots[2] as number);
    expect(leads.find(ids[2] as string)).toBe(-1);
    expect(strings.find('t')).toBe(-1);
    expect(leads.size).toBe(2);
  });
});
