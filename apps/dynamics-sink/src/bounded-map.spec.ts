import { BoundedMap } from './bounded-map';

describe('BoundedMap', () => {
  it('forgets the least recently used entry beyond its size', () => {
    const m = new BoundedMap<string, number>(2);
    m.getOrCreate('a', () => 1);
    m.getOrCreate('b', () => 2);
    m.get('a');
    m.getOrCreate('c', () => 3);
    expect([m.get('a'), m.get('b'), m.get('c'), m.size]).toEqual([1, undefined, 3, 2]);
    expect(m.getOrCreate('a', () => 9)).toBe(1);
  });
});
