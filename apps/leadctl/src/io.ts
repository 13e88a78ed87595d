/** A stream the CLI writes to (process.stdout in production, a buffer in tests). */
export interface OutStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** Everything the CLI touches outside itself; tests pass their own. */
export interface CliIo {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  /** The environment (read through leadctl.config.ts only). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads standard input (for `--file -`). */
  readonly readStdin?: () => Promise<string>;
  /** Ctrl-C: a replay stops between transactions. */
  readonly signal?: AbortSignal;
}
