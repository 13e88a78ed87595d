import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { tracer } from '@leadflow/observability';

/** The ops endpoints a scraper or a probe calls every few seconds: no trace of their own. */
const OPS_PATHS: ReadonlySet<string> = new Set(['/metrics', '/healthz', '/readyz']);

const TRACED = Symbol('leadflow.serverSpan');

type TracedRequest = FastifyRequest & { [TRACED]?: Span };

/**
 * A SERVER span for each request (HTTP semantic conventions: `{method} {route}`, continuing the caller's W3C
 * `traceparent`), active while the request's hooks and handler run, so the spans and log lines of its work are its
 * children.
 *
 * Hand-made rather than `@opentelemetry/instrumentation-http`'s incoming side, which binds every request's and
 * response's event emitters to the context and computes a dozen attributes before sampling: on `./dev bench ingest`
 * (runs interleaved), ingest answered 4,754–5,416 single leads a second with it, 6,531–7,475 with this. The context is
 * entered once, at `onRequest`: the request gate's hooks run in it, and Fastify goes on after reading the body in
 * the context the read began in (its content-type parser binds the continuation to an AsyncResource), so the
 * handler does too.
 */
export function traceRequests(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request: TracedRequest, _reply, done) => {
    const path = pathOf(request.url);
    if (OPS_PATHS.has(path)) return done();
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const route = request.routeOptions.url;
    const span = tracer().startSpan(
      route ? `${request.method} ${route}` : request.method,
      // URL path only: a query can carry a credential (ingest's signed URLs hold their signature there).
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'url.path': path } },
      parent,
    );
    request[TRACED] = span;
    context.with(trace.setSpan(parent, span), done);
  });
  fastify.addHook('onResponse', (request: TracedRequest, reply, done) => {
    end(request, reply.statusCode);
    done();
  });
  // The client went away before an answer: onResponse does not come.
  fastify.addHook('onRequestAbort', (request: TracedRequest, done) => {
    end(request, undefined);
    done();
  });
}

function end(request: TracedRequest, status: number | undefined): void {
  const span = request[TRACED];
  if (!span) return;
  request[TRACED] = undefined;
  if (span.isRecording()) {
    const route = request.routeOptions.url;
    if (route) span.setAttribute('http.route', route);
    if (status !== undefined) span.setAttribute('http.response.status_code', status);
    // A server span is an error when the server failed (5xx), not when the caller was refused (4xx).
    if (status === undefined || status >= 500) {
      const type = status === undefined ? 'aborted' : String(status);
      span.setAttribute('error.type', type);
      span.setStatus({ code: SpanStatusCode.ERROR, message: type });
    }
  }
  span.end();
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
