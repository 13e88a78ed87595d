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
export class LiveHub {
  private readonly streams = new Set<SseStream>();
  private readonly pending = new Map<string, { count: number; last: unknown }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 500) {}

  get clients(): number {
    return this.streams.size;
  }

  add(stream: SseStream): () => void {
    this.streams.add(stream);
    return () => this.streams.delete(stream);
  }

  /** Queues a change of `kind`; `last` is the latest change's summary (no customer data). */
  publish(kind: string, last: unknown): void {
    const p = this.pending.get(kind);
    this.pending.set(kind, { count: (p?.count ?? 0) + 1, last });
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  private flush(): void {
    this.timer = undefined;
    const batch = [...this.pending.entries()];
    this.pending.clear();
    for (const [kind, { count, last }] of batch) for (const s of this.streams) s.send(kind, { count, last });
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of [...this.streams]) s.close();
    this.streams.clear();
  }
}
