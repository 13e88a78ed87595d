import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { tracer } from '@leadflow/observability';
import { recordSpans } from '@leadflow/testing';
import { guardedPost, HttpStatusError } from './guarded-request';

/**
 * The HTTPS sink's call as a trace backend sees it: a CLIENT span inside the lead's span, and the receiver given its
 * `traceparent` (a real local receiver, the OpenTelemetry SDK with an in-memory exporter).
 */
describe('guardedPost tracing', () => {
  const sdk = recordSpans();
  const { exporter } = sdk;
  const received: IncomingHttpHeaders[] = [];
  let status = 200;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    sdk.start();
    server = createServer((req, res) => {
      received.push(req.headers);
      req.resume();
      req.on('end', () => res.writeHead(status).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await sdk.shutdown();
  });
  beforeEach(() => {
    exporter.reset();
    received.length = 0;
    status = 200;
  });

  const post = () =>
    guardedPost({
      url: `${base}/leads?api_key=secret`,
      body: '{}',
      headers: { 'idempotency-key': 'lead-1' },
      allow: 'loopback',
      signal: AbortSignal.timeout(5_000),
    });

  it("makes one CLIENT span in the lead's span and gives the receiver its traceparent, never the query", async () => {
    await tracer().startActiveSpan('process leads.route.https', async (lead) => {
      await post();
      lead.end();
    });
    const [call, lead] = exporter.getFinishedSpans();
    expect(call?.kind).toBe(SpanKind.CLIENT);
    expect(call?.name).toBe('POST');
    expect(call?.parentSpanContext?.spanId).toBe(lead?.spanContext().spanId);
    expect(call?.attributes).toEqual({
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(base).port),
      'url.full': `${base}/leads`,
      'http.response.status_code': 200,
    });
    expect(received[0]?.['traceparent']).toBe(`00-${call?.spanContext().traceId}-${call?.spanContext().spanId}-01`);
  });

  it('marks a refusal as an error with its status', async () => {
    status = 503;
    await tracer().startActiveSpan('process leads.route.https', async (lead) => {
      await expect(post()).rejects.toBeInstanceOf(HttpStatusError);
      lead.end();
    });
    const [call] = exporter.getFinishedSpans();
    expect(call?.status.code).toBe(SpanStatusCode.ERROR);
    expect(call?.attributes['error.type']).toBe('503');
  });

  it('makes no span and sends no traceparent outside a trace', async () => {
    await post();
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(received[0]?.['traceparent']).toBeUndefined();
  });
});
