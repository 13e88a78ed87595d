import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOnSampler, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';

export interface SpanRecorder {
  /** Every span ended since the last `reset()`, as a trace backend would receive it. */
  readonly exporter: InMemorySpanExporter;
  start(): void;
  shutdown(): Promise<void>;
}

/**
 * The OpenTelemetry SDK as a service starts it (its context manager and W3C propagator), sampling everything and
 * recording in memory. No instrumentation: under jest they cannot patch Node's modules (its own module registry).
 */
export function recordSpans(): SpanRecorder {
  const exporter = new InMemorySpanExporter();
  const sdk = new NodeSDK({
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    instrumentations: [],
    autoDetectResources: false,
  });
  return { exporter, start: () => sdk.start(), shutdown: () => sdk.shutdown() };
}
