export {
  isBatchSink,
  type Sink,
  type SingleSink,
  type BatchSink,
  type DeliveryContext,
  type BatchDeliveryContext,
  type DeliveryResult,
  type DeliveryOutcome,
} from './sink.port';
export { SinkRunner, type SinkLimits, type SinkRunnerOptions } from './sink-runner';
export { BoundedCache, type BoundedCacheOptions } from './bounded-cache';
// Sinks classify with the same error summary and retry policy type the runtime uses.
export { errorSummary, DEFAULT_RETRY, type RetryPolicy } from '@leadflow/retry';
export { sinkTopics, type SinkTopics } from './sink-topics';
export { createSinkMetrics, type SinkMetrics } from './metrics';
export { runSink, defineSink, loadDeclaredSinkEnv, type SinkDeclaration, type SinkDeps } from './run-sink';
export {
  SINK_SERVICES,
  sinkService,
  sinkPortVariable,
  type SinkName,
  type SinkService,
  type SinkTypeOf,
} from './sink-catalog';
export { SINK_ENV, sinkLimits, retryPolicy, type SinkEnv } from './sink.config';
export { TLS_ERROR_CODES, TRANSIENT_NETWORK_CODES, errorCode, retryAfterMs } from './transport-errors';
