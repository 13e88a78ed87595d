import { CliError, ExitCode } from './exit-codes';
import type { ClientCredentials, IngestSettings } from './leadctl.config';

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
  private token: Promise<string> | undefined;

  constructor(private readonly settings: IngestSettings) {}

  /** The bearer token: as given, or one signed token per run from the issuer (client credentials). */
  private bearer(): Promise<string> {
    return (this.token ??= this.settings.token
      ? Promise.resolve(this.settings.token)
      : requestToken(this.settings.client));
  }

  async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    const token = await this.bearer();
    let res: Response;
    try {
      res = await fetch(`${this.settings.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
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

/** Client credentials grant (RFC 6749 §4.4) with client_secret_post; the secret and the token are never printed. */
async function requestToken(client: ClientCredentials | undefined): Promise<string> {
  if (!client) throw new CliError(ExitCode.usage, 'no token and no client credentials configured');
  let res: Response;
  try {
    res = await fetch(client.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.secret,
        scope: client.scope,
      }).toString(),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    const why = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    throw new CliError(ExitCode.ingestFailed, `token endpoint unreachable at ${client.tokenUrl}: ${why}`);
  }
  const body = (await res.json().catch(() => ({}))) as {
    access_token?: unknown;
    error?: unknown;
    error_description?: unknown;
  };
  if (res.status !== 200 || typeof body.access_token !== 'string') {
    const why =
      typeof body.error === 'string'
        ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description.split('\r\n')[0]}` : ''}`
        : `status ${res.status}`;
    throw new CliError(
      res.status >= 500 ? ExitCode.ingestFailed : ExitCode.ingestRejected,
      `the token endpoint refused client ${client.clientId} (${why})`,
    );
  }
  return body.access_token;
}
