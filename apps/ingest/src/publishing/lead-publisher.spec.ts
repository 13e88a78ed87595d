import { chunkBySize, type LeadMessage } from './lead-publisher';

const msg = (bytes: number): LeadMessage => ({ key: 'k', value: 'v'.repeat(bytes), headers: {} });

describe('chunkBySize', () => {
  it('keeps an ordinary batch in one produce request', () => {
    expect(chunkBySize([msg(500), msg(500), msg(500)], 900 * 1024)).toHaveLength(1);
  });

  it('splits only where the broker request limit would be passed, in order, never dropping a record', () => {
    const messages = Array.from({ length: 10 }, (_, i) => ({ ...msg(300 * 1024), key: String(i) }));
    const chunks = chunkBySize(messages, 900 * 1024);
    expect(chunks.map((c) => c.length)).toEqual([2, 2, 2, 2, 2]);
    expect(chunks.flat().map((m) => m.key)).toEqual(messages.map((m) => m.key));
    expect(chunkBySize([msg(2 * 1024 * 1024)], 900 * 1024)).toHaveLength(1);
    expect(chunkBySize([], 900 * 1024)).toEqual([]);
  });
});
