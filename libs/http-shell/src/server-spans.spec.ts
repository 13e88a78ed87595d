import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import Fastify, { type FastifyInstance } from 'fastify';
import { tracer } from '@leadflow/observability';
import { recordSpans } from '@leadflow/testing';
import { traceRequests } from './server-spans';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

/**
 * Request spans through a real Fastify instance and the OpenTelemetry SDK (its context manager, propagator and an
 * in-memory exporter): what a trace backend would receive.
 */
describe('traceRequests', () => {
  const sdk = recordSpans();
  const { exporter } = sdk;
  let app: FastifyInstance;
  let base: string;
  /** The active span id each hook and handler saw, by the place it was seen. */
  const seen = new Map<string, string | undefined>();
  const active = () => trace.getActiveSpan()?.spanContext().spanId;

  beforeAll(async () => {
    sdk.start();
    app = Fastify();
    traceRequests(app);
    // A gate registered after it (authentication) runs in the request's span.
    app.addHook('onRequest', async () => {
      seen.set('gate', active());
    });
    app.post('/v1/things/:id', async (request) => {
      // After the body was read (in the request stream's events) and after an await.
      await sleep(5);
      seen.set('handler', active());
      tracer().startActiveSpan('work', (span) => span.end());
      return { id: (request.params as { id: string }).id, body: request.body };
    });
    app.get('/v1/boom', async () => {
      throw new Error('failed');
    });
    app.get('/v1/refused', async (_request, reply) => reply.code(403).send({ title: 'Forbidden' }));
    app.get('/healthz', async () => {
      seen.set('healthz', active());
      return 'ok';
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    await sdk.shutdown();
  });
  beforeEach(() => {
    exporter.reset();
    seen.clear();
  });

  it("continues the caller's trace, is active in the gate and the handler, and names the route, never the query", async () => {
    // Over a real socket, the body in two parts: it is read in the request stream's events, outside the hooks.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${base}/v1/things/42?sig=secret-signature`,
        {
          method: 'POST',
          headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`, 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.write('{"a":');
      setTimeout(() => req.end('1}'), 20);
    });
    expect(status).toBe(200);
    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    expect(server).toBeDefined();
    if (!server) return;
    expect(server.name).toBe('POST /v1/things/:id');
    expect(server.spanContext().traceId).toBe(TRACE_ID);
    expect(server.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(server.attributes).toEqual({
      'http.request.method': 'POST',
      'url.path': '/v1/things/42',
      'http.route': '/v1/things/:id',
      'http.response.status_code': 200,
    });
    expect(server.status.code).toBe(SpanStatusCode.UNSET);
    expect(seen.get('gate')).toBe(server.spanContext().spanId);
    expect(seen.get('handler')).toBe(server.spanContext().spanId);
    const work = spans.find((s) => s.name === 'work');
    expect(work?.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
  });

  it('starts a trace of its own without a traceparent', async () => {
    await app.inject({ method: 'POST', url: '/v1/things/7', payload: {} });
    const [server] = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
    expect(server?.parentSpanContext).toBeUndefined();
    expect(server?.spanContext().traceId).not.toBe(TRACE_ID);
  });

  it('marks a server failure as an error and a refusal as none', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/boom' })).statusCode).toBe(500);
    expect((await app.inject({ method: 'GET', url: '/v1/refused' })).statusCode).toBe(403);
    const byName = new Map(exporter.getFinishedSpans().map((s) => [s.name, s]));
    expect(byName.get('GET /v1/boom')?.status.code).toBe(SpanStatusCode.ERROR);
    expect(byName.get('GET /v1/boom')?.attributes['error.type']).toBe('500');
    expect(byName.get('GET /v1/refused')?.status.code).toBe(SpanStatusCode.UNSET);
    expect(byName.get('GET /v1/refused')?.attributes['http.response.status_code']).toBe(403);
  });

  it('leaves the ops endpoints untraced', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(seen.get('healthz')).toBeUndefined();
  });

  it('names an unknown path by its method alone', async () => {
    expect((await app.inject({ method: 'GET', url: '/nowhere/123' })).statusCode).toBe(404);
    const [server] = exporter.getFinishedSpans();
    expect(server?.name).toBe('GET');
    expect(server?.attributes['http.route']).toBeUndefined();
  });
});
