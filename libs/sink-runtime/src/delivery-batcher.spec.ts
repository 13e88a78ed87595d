import { leadflowError, type DestinationOf, type Lead } from '@leadflow/lead-model';
import { DeliveryBatcher } from './delivery-batcher';
import { InFlightLimit } from './in-flight-limit';
import type { BatchSink, DeliveryOutcome } from './sink.port';

const destination: DestinationOf<'https'> = { type: 'https', url: 'https://example.com/leads' };
const lead = (id: string): Lead => ({ leadId: id, offerId: 'contoso.crm' }) as unknown as Lead;

function fakeSink(maxSize: number, answer: (leads: readonly Lead[]) => DeliveryOutcome[]) {
  const calls: { ids: string[]; attempts: readonly number[] }[] = [];
  const sink: BatchSink<'https'> = {
    type: 'https',
    batch: { maxSize, lingerMs: 5 },
    classify: (e) => leadflowError('INTERNAL.UNEXPECTED', String(e)),
    deliverBatch: async (leads, _d, ctx) => {
      calls.push({ ids: leads.map((l) => l.leadId), attempts: ctx.attempts });
      return answer(leads);
    },
  };
  return { sink, calls };
}

const batcher = (sink: BatchSink<'https'>) =>
  new DeliveryBatcher({ sink, attemptTimeoutMs: 1_000, shutdown: new AbortController().signal });

describe('DeliveryBatcher', () => {
  it('sends leads of one key together, cuts at maxSize, and settles each lead by its own outcome', async () => {
    const { sink, calls } = fakeSink(3, (leads) =>
      leads.map((l) =>
        l.leadId === 'bad' ? { ok: false, error: new Error('rejected') } : { ok: true, externalId: `x-${l.leadId}` },
      ),
    );
    const b = batcher(sink);
    const results = ['a', 'bad', 'c', 'd'].map((id, i) => b.submit('contoso.crm@1', lead(id), destination, i + 1));
    const other = b.submit('fabrikam.x@1', lead('z'), destination, 1);
    const settled = await Promise.allSettled([...results, other]);
    expect(calls.map((c) => c.ids)).toEqual([['a', 'bad', 'c'], ['d'], ['z']]);
    expect(calls[0]?.attempts).toEqual([1, 2, 3]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value.externalId : (s.reason as Error).message))).toEqual([
      'x-a',
      'rejected',
      'x-c',
      'x-d',
      'x-z',
    ]);
  });

  it('fails every lead of a call that throws or answers the wrong number of outcomes', async () => {
    const throwing = fakeSink(10, () => {
      throw new Error('connection reset');
    });
    const b = batcher(throwing.sink);
    const r = await Promise.allSettled([
      b.submit('k', lead('a'), destination, 1),
      b.submit('k', lead('b'), destination, 1),
    ]);
    expect(r.map((x) => (x.status === 'rejected' ? (x.reason as Error).message : 'ok'))).toEqual([
      'connection reset',
      'connection reset',
    ]);
    const short = batcher(fakeSink(10, () => [{ ok: true }]).sink);
    const s = await Promise.allSettled([
      short.submit('k', lead('a'), destination, 1),
      short.submit('k', lead('b'), destination, 1),
    ]);
    expect(s.every((x) => x.status === 'rejected')).toBe(true);
  });

  it('keeps a key to its concurrent calls and gathers newcomers into the next batch while they run', async () => {
    let running = 0;
    let most = 0;
    const sizes: number[] = [];
    const sink: BatchSink<'https'> = {
      type: 'https',
      batch: { maxSize: 100, lingerMs: 1, maxConcurrentCalls: 1 },
      classify: (e) => leadflowError('INTERNAL.UNEXPECTED', String(e)),
      deliverBatch: async (leads) => {
        most = Math.max(most, ++running);
        sizes.push(leads.length);
        await new Promise((r) => setTimeout(r, 30));
        running--;
        return leads.map(() => ({ ok: true }));
      },
    };
    const b = batcher(sink);
    const first = b.submit('k', lead('0'), destination, 1);
    await new Promise((r) => setTimeout(r, 10));
    // The first call is running: these nine wait for it and leave together.
    const rest = Array.from({ length: 9 }, (_, i) => b.submit('k', lead(String(i + 1)), destination, 1));
    await Promise.all([first, ...rest]);
    expect(most).toBe(1);
    expect(sizes).toEqual([1, 9]);
  });

  it('takes a place per lead when its call starts, calls with the places there are, and gives them back', async () => {
    const places = new InFlightLimit(3);
    const sizes: number[] = [];
    const held: number[] = [];
    let release: () => void = () => undefined;
    const sink: BatchSink<'https'> = {
      type: 'https',
      batch: { maxSize: 100, lingerMs: 1, maxConcurrentCalls: 2 },
      classify: (e) => leadflowError('INTERNAL.UNEXPECTED', String(e)),
      deliverBatch: async (leads) => {
        sizes.push(leads.length);
        held.push(places.inFlight);
        await new Promise<void>((r) => (release = r));
        return leads.map(() => ({ ok: true }));
      },
    };
    const b = new DeliveryBatcher({ sink, attemptTimeoutMs: 5_000, shutdown: new AbortController().signal, places });
    // Gathering holds no place: five leads wait for the linger with all three places free.
    const all = Array.from({ length: 5 }, (_, i) => b.submit('k', lead(String(i)), destination, 1));
    expect(places.inFlight).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    // Three places: the first call carries three leads; the second call waits for a place, holding none.
    expect(sizes).toEqual([3]);
    expect(held).toEqual([3]);
    release();
    await new Promise((r) => setTimeout(r, 20));
    expect(sizes).toEqual([3, 2]);
    release();
    await Promise.all(all);
    expect(places.inFlight).toBe(0);
  });
});
