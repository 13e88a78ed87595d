import type { Admin } from 'kafkajs';

/** Sum of a group's committed offsets on a topic, and the topic's end. */
export async function progress(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<{ committed: number; end: number }> {
  const [committed, ends] = await Promise.all([
    admin.fetchOffsets({ groupId, topics: [topic] }),
    admin.fetchTopicOffsets(topic),
  ]);
  const sum = (xs: readonly { offset: string }[]) => xs.reduce((n, x) => n + Math.max(0, Number(x.offset)), 0);
  return { committed: sum(committed[0]?.partitions ?? []), end: sum(ends) };
}

/**
 * Rate at which a consumer group works through a preloaded topic, from its first commit to its last
 * (the service's start-up is not counted).
 */
export async function drainRate(admin: Admin, groupId: string, topic: string, timeoutMs: number): Promise<number> {
  let first: { at: number; committed: number } | undefined;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await progress(admin, groupId, topic).catch(() => ({ committed: 0, end: Number.MAX_SAFE_INTEGER }));
    if (!first && p.committed > 0) first = { at: Date.now(), committed: p.committed };
    if (first && p.committed >= p.end)
      return (p.committed - first.committed) / Math.max(0.001, (Date.now() - first.at) / 1000);
    if (Date.now() > deadline)
      throw new Error(`${groupId} committed ${p.committed} of ${p.end} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
