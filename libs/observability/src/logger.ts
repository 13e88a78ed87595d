import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Field names that may carry PII or secrets, wherever they appear in a logged object. Redaction is the
 * last line of defence: code should not log leads or destinations in the first place.
 */
export const REDACTED_KEYS = [
  'customer',
  'firstName',
  'lastName',
  'email',
  'phone',
  'UserDetails',
  'userDetails',
  'first_name',
  'last_name',
  'clientSecret',
  'password',
  'signingSecret',
  'connectionString',
  'accountKey',
  'authorization',
  'Authorization',
  'token',
  'access_token',
  'secret',
] as const;

const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export interface LoggerOptions {
  readonly service: string;
  readonly level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  readonly destination?: pino.DestinationStream;
}

function traceFields(): { trace_id?: string; span_id?: string } {
  const sc = trace.getActiveSpan()?.spanContext();
  return sc && isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}

/** Structured JSON logs, one line per event, with PII and secret fields censored at any depth up to 3. */
export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      name: opts.service,
      level: opts.level ?? 'info',
      base: { service: opts.service },
      redact: { paths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Log correlation: a line written inside a lead's work names the span it was written in.
      mixin: traceFields,
    },
    opts.destination,
  );
}
