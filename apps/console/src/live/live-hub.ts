import type { FastifyReply } from 'fastify';

/** One Server-Sent Events stream: `event:` name and a JSON `data:` line (https://html.spec.whatwg.org/#server-sent-events). */
export interface SseStream {
  send(event: string, data: unknown): void;
  close(): void;
  readonly closed: boolean;
}

/** Opens an SSE response on a Fastify reply; `onClose` runs when the client goes away. */
export function openSse(reply: FastifyReply, onClose: () => void): SseStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // Proxies (nginx) must not buffer the stream.
    'x-accel-buffering': 'no',
  });
  res.write(': connected\n\n');
  let closed = false;
  // A comment every 15 s keeps idle proxies and load balancers from cutting the stream.
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    onClose();
  };
  res.on('close', finish);
  return {
    send: (event, data) => {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close: () => {
      finish();
      res.end();
    },
    get closed() {
      return closed;
    },
  };
}

/**
 * Live updates to every open page: what changed, coalesced to at most one message per `intervalMs` per kind, so a
 * burst of 10,000 dead letters costs the browser one refresh, not 10,000.
 */
/** Which offers' changes a stream may hear of: every offer, or those the filter keeps (a scoped caller). */
export type LiveScope = 'all' | ((offerId: string | null) => boolean);

interface Change {
  readonly offerId: string | null;
  readonly last: unknown;
}

/**
 * Fans changes out to the open pages, coalesced per kind every `intervalMs`. Each stream hears only of the offers its
 * caller may read: a publisher's page is never told that another publisher's offer had a dead letter or a delivery.
 */
export class LiveHub {
  private readonly streams = new Map<SseStream, LiveScope>();
  private readonly pending = new Map<string, Change[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 500) {}

  get clients(): number {
    return this.streams.size;
  }

  add(stream: SseStream, scope: LiveScope = 'all'): () => void {
    this.streams.set(stream, scope);
    return () => this.streams.delete(stream);
  }

  /** Queues a change of `kind` to `offerId`; `last` is its summary (no customer data). */
  publish(kind: string, offerId: string | null, last: unknown): void {
    let changes = this.pending.get(kind);
    if (!changes) this.pending.set(kind, (changes = []));
    changes.push({ offerId, last });
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  private flush(): void {
    this.timer = undefined;
    const batch = [...this.pending.entries()];
    this.pending.clear();
    for (const [stream, scope] of this.streams) {
      for (const [kind, changes] of batch) {
        const seen = scope === 'all' ? changes : changes.filter((c) => scope(c.offerId));
        const last = seen[seen.length - 1];
        if (last) stream.send(kind, { count: seen.length, last: last.last });
      }
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of [...this.streams.keys()]) s.close();
    this.streams.clear();
  }
}
