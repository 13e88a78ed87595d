import { CliError, ExitCode } from './exit-codes';
import type { IngestSettings } from './leadctl.config';

/** An RFC 9457 problem as the ingest answers it; only the fields leadctl prints. */
interface Problem {
  readonly title?: string;
  readonly detail?: string;
  readonly errors?: readonly { readonly path?: string; readonly message?: string }[];
  readonly errorClass?: string;
  readonly remediation?: string;
}

function describeProblem(status: number, text: string): string {
  let p: Problem | undefined;
  try {
    p = JSON.parse(text) as Problem;
  } catch {
    p = undefined;
  }
  if (!p || typeof p !== 'object') return `ingest answered ${status}${text ? `: ${text.slice(0, 500)}` : ''}`;
  const lines = [`ingest answered ${status}: ${p.title ?? 'error'}${p.detail ? ` - ${p.detail}` : ''}`];
  for (const e of p.errors ?? []) lines.push(`  ${e.path ?? '(root)'}: ${e.message ?? ''}`);
  if (p.errorClass) lines.push(`  error class: ${p.errorClass}`);
  if (p.remediation) lines.push(`  remediation: ${p.remediation}`);
  return lines.join('\n');
}

/**
 * The ingest HTTP API as leadctl calls it. A 4xx is the caller's to fix (exit 5, problem details
 * printed); a 5xx or no answer at all is the service's (exit 6).
 */
export class IngestClient {
  constructor(private readonly settings: IngestSettings) {}

  async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    let res: Response;
    try {
      res = await fetch(`${this.settings.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.settings.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      const why = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw new CliError(ExitCode.ingestFailed, `ingest unreachable at ${this.settings.url}: ${why}`);
    }
    const text = await res.text();
    if (res.status >= 500) throw new CliError(ExitCode.ingestFailed, describeProblem(res.status, text));
    if (res.status >= 400) throw new CliError(ExitCode.ingestRejected, describeProblem(res.status, text));
    let parsed: unknown = undefined;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, body: parsed as T };
  }
}

/** `/v1/offers/{offerId}` with the id encoded (an id never needs it, but a typo must not change the path). */
export const offerPath = (offerId: string, rest: string) => `/v1/offers/${encodeURIComponent(offerId)}${rest}`;
