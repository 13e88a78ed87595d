/**
 * An error's name, code and message only: never a request or response body, never a record (kafkajs errors name
 * the broker and the protocol error; CRM clients' messages are scrubbed by their sinks before they get here).
 */
export function errorSummary(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${err.name}${typeof code === 'string' ? ` ${code}` : ''}: ${err.message}`;
  }
  return String(err);
}
