import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOffSampler, NoopSpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { tracedByCaller } from './http-marker';

export interface TracingOptions {
  readonly serviceName: string;
  /** OTLP/HTTP traces endpoint (e.g. http://127.0.0.1:4318/v1/traces); without it spans are not exported. */
  readonly otlpEndpoint?: string;
  /**
   * How long one export may wait for the backend (the SDK's default: 10 s, or `OTEL_EXPORTER_OTLP_TIMEOUT`). A
   * short-lived process (leadctl) sets its shutdown budget here: an export still waiting holds its socket, so the
   * process could not exit before it gives up.
   */
  readonly exportTimeoutMs?: number;
}

const SHUTDOWN_FLUSH_MS = 2_000;

export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * URL attributes without their query string. Queries carry secrets (Marketo's token request has `client_secret` in
 * it, a SAS token is a query, ingest's signed URLs carry their signature, an HTTPS endpoint may hold an API key) and
 * the instrumentations' default redaction covers a few parameter names only.
 */
const URL_ATTRIBUTES = ['url.full', 'http.url', 'http.target'] as const;
function stripQueries(span: Span, attributes: Readonly<Record<string, unknown>> | undefined): void {
  for (const key of URL_ATTRIBUTES) {
    const value = attributes?.[key];
    if (typeof value === 'string' && value.includes('?')) span.setAttribute(key, value.slice(0, value.indexOf('?')));
  }
  if (attributes?.['url.query'] !== undefined) span.setAttribute('url.query', '');
}

const attributesOf = (span: Span): Readonly<Record<string, unknown>> | undefined =>
  (span as unknown as { attributes?: Record<string, unknown> }).attributes;

/** The maintained HTTP instrumentations, configured as every service runs them (exported for their spec). */
export function httpInstrumentations(): [HttpInstrumentation, UndiciInstrumentation] {
  return [
    new HttpInstrumentation({
      // Outgoing calls only: an HTTP service's own requests get their SERVER span from `traceRequests`
      // (@leadflow/http-shell), which costs a fraction of this instrumentation's incoming side.
      disableIncomingRequestInstrumentation: true,
      // A call whose caller makes its own CLIENT span (startClientSpan) is not traced twice.
      ignoreOutgoingRequestHook: tracedByCaller,
      requireParentforOutgoingSpans: true,
      applyCustomAttributesOnSpan: (span) => stripQueries(span, attributesOf(span)),
    }),
    new UndiciInstrumentation({
      requireParentforSpans: true,
      responseHook: (span) => stripQueries(span, attributesOf(span)),
    }),
  ];
}

/**
 * Starts the OpenTelemetry SDK. W3C trace context is always propagated (leads carry `traceparent` through Kafka) and
 * spans always get ids (log lines carry `trace_id` even with nothing exported); they are exported by OTLP only when
 * an endpoint is configured. Sampling is the SDK's: parent-based by default, set by `OTEL_TRACES_SAMPLER` and
 * `OTEL_TRACES_SAMPLER_ARG`; batching by `OTEL_BSP_*`.
 *
 * HTTP: outgoing calls made inside a lead's work (the CRM calls, through `node:http(s)` or `fetch`/undici) get spans;
 * calls outside a trace (background refreshes) do not. Incoming requests get theirs from the HTTP service itself
 * (`traceRequests` in @leadflow/http-shell).
 */
export function startTracing(opts: TracingOptions): Tracing {
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: opts.serviceName }),
    autoDetectResources: false,
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: httpInstrumentations(),
    // With an endpoint, the SDK batches by the OTEL_BSP_* variables. Without one a provider is still registered, so
    // spans have ids for log correlation and propagation (a caller's trace id is kept), but no span records anything:
    // nothing would read it. (Measured, the saving is small: CPU per 1,000 leads did not move beyond run-to-run noise.)
    ...(opts.otlpEndpoint
      ? {
          traceExporter: new OTLPTraceExporter({
            url: opts.otlpEndpoint,
            ...(opts.exportTimeoutMs ? { timeoutMillis: opts.exportTimeoutMs } : {}),
          }),
        }
      : { spanProcessors: [new NoopSpanProcessor()], sampler: new AlwaysOffSampler() }),
    logRecordProcessors: [],
  });
  sdk.start();
  // The HTTP instrumentation patches `node:http(s)` when they are required after it starts; a bundled service has
  // required them already (its imports run first), and requiring them again applies the patch to the same module
  // objects, which every caller reads `request`/`createServer` from at call time.
  require('node:http');
  require('node:https');
  // Flushing spans must never hold a service's shutdown past its deadline (an unreachable collector). Without an
  // exporter there is nothing to flush, and nothing is waited for: in a sink process the SDK's shutdown took the whole
  // flush cap (2 s) for no span, and with the consumer's own stop that overran the shutdown deadline on a loaded
  // machine (https-sink-shutdown.int-spec exited 1).
  return {
    shutdown: () => {
      if (!opts.otlpEndpoint) {
        void sdk.shutdown().catch(() => undefined);
        return Promise.resolve();
      }
      return Promise.race([
        sdk.shutdown(),
        new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_FLUSH_MS).unref()),
      ]);
    },
  };
}

/** The W3C `traceparent` of the active span (or of `ctx`), to put on a Kafka record. */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier['traceparent'];
}

/** A context whose parent is the span named by a record's `traceparent` header. */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (!traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** The tracer of leadflow's own (hand-made) spans. */
export const tracer = (): ReturnType<typeof trace.getTracer> => trace.getTracer('leadflow');

/** Ends a span, with an error status (and `error.type`) when `err` is given. Never records the error's message. */
export function endSpan(span: Span, err?: unknown, errorType?: string): void {
  if (err !== undefined) {
    const type = errorType ?? errorName(err);
    span.setAttribute('error.type', type);
    // The type only: a message may quote a CRM's answer, which can echo the lead's fields.
    span.setStatus({ code: SpanStatusCode.ERROR, message: type });
  }
  span.end();
}

function errorName(err: unknown): string {
  if (err && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0 && code.length < 80) return code;
    const name = (err as { name?: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return '_OTHER';
}

/** Runs `fn` inside a span that continues `parent` (a record's trace); the span ends when `fn` settles. */
export async function inSpan<T>(name: string, parent: Context, fn: () => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, {}, parent, async (span) => {
    try {
      const out = await fn();
      endSpan(span);
      return out;
    } catch (err) {
      endSpan(span, err);
      throw err;
    }
  });
}
