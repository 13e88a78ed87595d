import { TopicWatcher } from './topic-watcher';

describe('TopicWatcher', () => {
  it('reports the matching topics when the set changes, and nothing when it does not', async () => {
    let topics = ['leads.route.dynamics', 'leads.route.https', '__consumer_offsets'];
    const changes: (readonly string[])[] = [];
    const w = new TopicWatcher({
      pattern: /^leads\.route\.dynamics(\..+)?$/,
      list: async () => topics,
      intervalMs: 60_000,
      onChange: async (t) => void changes.push(t),
    });
    expect(await w.initial()).toEqual(['leads.route.dynamics']);
    await w.check();
    expect(changes).toEqual([]);
    topics = [...topics, 'leads.route.dynamics.northwind', 'leads.route.https.other'];
    await w.check();
    await w.check();
    expect(changes).toEqual([['leads.route.dynamics', 'leads.route.dynamics.northwind']]);
  });

  it('keeps the old set when the change could not be applied, so the next look tries again', async () => {
    let fail = true;
    const applied: (readonly string[])[] = [];
    const errors: unknown[] = [];
    const w = new TopicWatcher({
      pattern: /^a/,
      list: async () => ['a1', 'a2'],
      intervalMs: 60_000,
      onChange: async (t) => {
        if (fail) throw new Error('rebalancing');
        applied.push(t);
      },
      onError: (e) => errors.push(e),
    });
    await w.check();
    fail = false;
    await w.check();
    expect(errors).toHaveLength(1);
    expect(applied).toEqual([['a1', 'a2']]);
  });
});
