export type { Sink, DeliveryContext, DeliveryResult } from './sink.port';
export { SinkRunner, errorSummary, type SinkLimits, type SinkRunnerOptions } from './sink-runner';
export { PartitionTracker } from './partition-tracker';
export { nextDelay, DEFAULT_RETRY, type RetryPolicy } from './retry';
export { sinkTopics, type SinkTopics } from './sink-topics';
export { createSinkMetrics, type SinkMetrics } from './metrics';
export { runSink, type RunSinkOptions } from './run-sink';
export { SINK_ENV, loadSinkEnv, sinkLimits, retryPolicy, type SinkEnv } from './sink.config';
