import { AuthorityUnavailable, EntraFailure } from './dynamics-failures';
import type { Scrub } from './scrub';

/**
 * Reading Entra ID's answers: msal-node's errors, and the OpenID configuration response msal does not pass on.
 */

interface MsalErrorShape {
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly errorNo?: string | number;
  readonly status?: number;
}

function isMsalError(err: unknown): err is MsalErrorShape {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { errorCode?: unknown }).errorCode === 'string' &&
    typeof (err as { errorMessage?: unknown }).errorMessage === 'string'
  );
}

/** msal-node's answer when the authority's OpenID configuration could not be read (it drops the body). */
export function isEndpointResolutionError(err: unknown): boolean {
  return isMsalError(err) && err.errorCode === 'endpoints_resolution_error';
}

/**
 * msal-node wraps a token endpoint error as "Error(s): … - Description: <error_description> - Correlation ID: …";
 * the dead letter keeps Entra's own description (with its Trace ID and Correlation ID lines).
 */
function description(errorMessage: string): string {
  const m = /Description: ([\s\S]*?) - Correlation ID: /.exec(errorMessage);
  return (m?.[1] ?? errorMessage).replace(/\r\n/g, '\n').trim();
}

/** An msal-node error as a failure: an Entra answer (by its AADSTS number) or an unreachable authority. */
export function fromMsalError(err: unknown, scrub: Scrub): unknown {
  if (!isMsalError(err)) return err;
  const errorNo = Number(err.errorNo);
  if (err.errorNo !== undefined && err.errorNo !== '' && Number.isInteger(errorNo)) {
    return new EntraFailure([errorNo], err.errorCode, err.status, scrub(`Entra ID: ${description(err.errorMessage)}`));
  }
  if (err.status !== undefined && err.status >= 500)
    return new AuthorityUnavailable(scrub(`Entra ID answered ${err.status}: ${err.errorMessage}`));
  // msal-node holds requests back itself after a 429 or 5xx with Retry-After (its throttling cache), and says so
  // with a ServerError that carries no number.
  const serverError = (err as { name?: unknown }).name === 'ServerError';
  if (serverError && err.status === undefined)
    return new AuthorityUnavailable(scrub(`Entra ID asked to wait before signing in again: ${err.errorMessage}`));
  // An error body without error_codes: classified by its OAuth `error` value.
  if (serverError)
    return new EntraFailure([], err.errorCode, err.status, scrub(`Entra ID: ${description(err.errorMessage)}`));
  // No answer, or not one msal could read (a proxy's error page).
  if (err.errorCode === 'network_error' || err.errorCode === 'token_parsing_error')
    return new AuthorityUnavailable(scrub(`Entra ID could not be reached: ${err.errorMessage || err.errorCode}`));
  return err;
}

interface EntraErrorBody {
  readonly error: string;
  readonly error_description?: string;
  readonly error_codes?: readonly number[];
}

function isEntraErrorBody(body: unknown): body is EntraErrorBody {
  return typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string';
}

/** An Entra error body (`error`, `error_codes`, `error_description`) as a failure. */
export function fromEntraBody(body: unknown, status: number, scrub: Scrub): EntraFailure | undefined {
  if (!isEntraErrorBody(body)) return undefined;
  const codes = Array.isArray(body.error_codes) ? body.error_codes.filter((c) => Number.isInteger(c)) : [];
  const text = (body.error_description ?? body.error).replace(/\r\n/g, '\n').trim();
  return new EntraFailure(codes, body.error, status, scrub(`Entra ID: ${text}`));
}

/**
 * Entra refuses an unknown or malformed tenant on the OpenID configuration request itself (400, AADSTS90002 or
 * AADSTS900023), and msal-node then reports only `endpoints_resolution_error`: the sink reads that answer itself.
 */
export async function readOpenIdConfigurationError(
  authorityHost: string,
  tenant: string,
  timeoutMs: number,
  scrub: Scrub,
): Promise<Error> {
  const url = `${authorityHost}/${encodeURIComponent(tenant)}/v2.0/.well-known/openid-configuration`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const code = (err as { cause?: { code?: unknown } } | null)?.cause?.code;
    const why = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
    return new AuthorityUnavailable(scrub(`Entra ID could not be reached at ${authorityHost} (${why})`));
  }
  const body: unknown = await res.json().catch(() => undefined);
  return (
    fromEntraBody(body, res.status, scrub) ??
    new AuthorityUnavailable(`Entra ID's OpenID configuration for the tenant could not be read (HTTP ${res.status})`)
  );
}
