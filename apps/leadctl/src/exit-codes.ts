/** Exit codes scripts can rely on (also in the README). */
export const ExitCode = {
  ok: 0,
  /** A bug or an error leadctl does not know: the message says what happened. */
  unexpected: 1,
  /** Unknown command or option, bad option value, missing argument or token. */
  usage: 2,
  /** No Kafka broker answered at the configured addresses. */
  brokerUnreachable: 3,
  /** The filters (or the lead id) matched no dead letter. */
  nothingMatched: 4,
  /** The ingest API refused the request (4xx): the problem details are printed. */
  ingestRejected: 5,
  /** The ingest API failed (5xx) or could not be reached. */
  ingestFailed: 6,
  /** Another replay started on the cluster and stopped this one; what was replayed is in the ledger. */
  replayInterrupted: 7,
  /** `offers set --wait`: the validation lead failed, or did not pass in time. */
  validationFailed: 8,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as one message on stderr, with its exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCodeValue,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

const UNREACHABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSBrokerNotFound',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
]);

/** True when a kafkajs error (or one it wraps) means that no broker could be reached. */
export function isBrokerUnreachable(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e: unknown = err; e instanceof Error && !seen.has(e);) {
    seen.add(e);
    if (UNREACHABLE_NAMES.has(e.name)) return true;
    if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|Connection error|Connection timeout/i.test(e.message)) return true;
    const next: unknown = (e as { originalError?: unknown }).originalError ?? e.cause;
    e = next;
  }
  return false;
}
