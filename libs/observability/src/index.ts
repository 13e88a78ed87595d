export { createLogger, REDACTED_KEYS, type Logger, type LoggerOptions } from './logger';
export {
  createMetricsRegistry,
  cappedLabel,
  deadLetterCounter,
  metricLabelViolations,
  ALLOWED_METRIC_LABELS,
} from './metrics';
export {
  startTracing,
  currentTraceparent,
  contextFromTraceparent,
  inSpan,
  endSpan,
  tracer,
  type Tracing,
  type TracingOptions,
} from './tracing';
export { HealthState, exportReadiness, startOpsServer, type OpsServerOptions } from './ops-server';
export { onShutdown, type ShutdownOptions } from './shutdown';
export {
  startProcessSpan,
  startSendSpan,
  startOperationSpan,
  linkTo,
  activeContext,
  type ConsumedRecord,
} from './messaging';
export { startClientSpan, endClientSpan } from './http-client';
export { TRACED_BY_CALLER } from './http-marker';
