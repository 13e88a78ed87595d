import { BoundedCache } from './bounded-cache';
import { Circuit } from './circuit';
import { leadflowError } from '@leadflow/lead-model';

describe('BoundedCache', () => {
  it('evicts the least recently used past its size and what is older than its age, and counts both', () => {
    let now = 0;
    const events: string[] = [];
    const cache = new BoundedCache<number>({
      maxEntries: 2,
      maxAgeMs: 100,
      now: () => now,
      onHit: () => events.push('hit'),
      onEvict: (r) => events.push(r),
    });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recently used
    cache.set('c', 3); // b goes
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(2);
    now = 150;
    expect(cache.get('a')).toBeUndefined();
    expect(events).toEqual(['hit', 'size', 'age']);
    let loads = 0;
    expect(cache.getOrLoad('d', () => ++loads)).toBe(1);
    expect(cache.getOrLoad('d', () => ++loads)).toBe(1);
    expect(loads).toBe(1);
  });
});

describe('Circuit', () => {
  const denied = leadflowError('TABLE.AUTH_FAILED', 'key rotated');

  it('stays open for the version that broke until a newer version arrives, and keeps one entry per offer', () => {
    const circuit = new Circuit();
    circuit.trip('contoso.crm', 3, denied);
    expect(circuit.brokenBy('contoso.crm', 3)).toBe(denied);
    // A lead routed under the older version does not reopen or close anything.
    expect(circuit.brokenBy('contoso.crm', 2)).toBeUndefined();
    expect(circuit.brokenBy('contoso.crm', 3)).toBe(denied);
    expect(circuit.brokenBy('contoso.crm', 4)).toBeUndefined();
    expect(circuit.brokenBy('contoso.crm', 3)).toBeUndefined();
    expect(circuit.size).toBe(0);
  });

  it('is bounded by the number of offers', () => {
    const circuit = new Circuit(2);
    for (const offer of ['a.a', 'b.b', 'c.c']) circuit.trip(offer, 1, denied);
    expect(circuit.size).toBe(2);
    expect(circuit.brokenBy('a.a', 1)).toBeUndefined();
  });
});
