import { context, propagation, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface TracingOptions {
  readonly serviceName: string;
  /** OTLP/HTTP traces endpoint (e.g. http://127.0.0.1:4318/v1/traces); without it spans are not exported. */
  readonly otlpEndpoint?: string;
}

const SHUTDOWN_FLUSH_MS = 2_000;

export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK. W3C trace context is always propagated (leads carry `traceparent`
 * through Kafka), and spans are exported only when an endpoint is configured.
 */
export function startTracing(opts: TracingOptions): Tracing {
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: opts.serviceName }),
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: [new HttpInstrumentation()],
    ...(opts.otlpEndpoint
      ? { traceExporter: new OTLPTraceExporter({ url: opts.otlpEndpoint }) }
      : { spanProcessors: [] }),
  });
  sdk.start();
  // Flushing spans must never hold a service's shutdown past its deadline (an unreachable collector).
  return {
    shutdown: () =>
      Promise.race([sdk.shutdown(), new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_FLUSH_MS).unref())]),
  };
}

/** The W3C `traceparent` of the active span, to put on a Kafka record. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'];
}

/** A context whose parent is the span named by a record's `traceparent` header. */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (!traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** Runs `fn` inside a span that continues the record's trace. */
export async function inSpan<T>(name: string, parent: Context, fn: () => Promise<T>): Promise<T> {
  const tracer = trace.getTracer('leadflow');
  return tracer.startActiveSpan(name, {}, parent, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.recordException(err instanceof Error ? err : new Error(String(err)));
      throw err;
    } finally {
      span.end();
    }
  });
}
