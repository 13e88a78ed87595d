import { Headers } from '@leadflow/lead-model';
import type { DeadLetter } from './dead-letter';
import { ReplayHeaders } from './dead-letter-topics';

/** Headers a dead letter gained on its way to the dead-letter topic; a replay leaves them behind. */
const DEAD_LETTER_HEADERS: ReadonlySet<string> = new Set([
  Headers.errorClass,
  Headers.errorCategory,
  Headers.errorMessage,
  Headers.errorRemediation,
  Headers.originalTopic,
  Headers.originalPartition,
  Headers.originalOffset,
  Headers.sink,
  Headers.attempts,
  Headers.failedAt,
  Headers.destinationVersion,
  ...Object.values(ReplayHeaders),
]);

export interface ReplayMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

/**
 * The record a replay writes to `leads.ingested`: the original key and value bytes, the original headers
 * (CloudEvents, traceparent: the lead id is unchanged, so idempotent sinks stay idempotent), and which dead
 * letter it replays, when and by whom.
 */
export function replayMessage(dl: DeadLetter, at: Date, by: string): ReplayMessage {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(dl.record.headers)) if (!DEAD_LETTER_HEADERS.has(k)) headers[k] = v;
  headers[ReplayHeaders.of] = dl.id;
  headers[ReplayHeaders.at] = at.toISOString();
  headers[ReplayHeaders.by] = by;
  return { key: dl.record.key, value: dl.record.value, headers };
}
