import { errorCode, retryAfterMs, TLS_ERROR_CODES } from '@leadflow/sink-runtime';
import { DataverseFailure, DataverseUnavailable, InstanceUnreachable, Interrupted } from './dynamics-failures';
import type { DataverseLead } from './lead-mapping';
import type { Scrub } from './scrub';

/** The Web API version leadflow writes to (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/overview). */
export const WEB_API_PATH = '/api/data/v9.2';

export type CreateLeadOutcome =
  /** Created now, or already there from an earlier attempt: `id` is the record's leadid. */
  | { readonly kind: 'created' | 'exists'; readonly id: string }
  /** 401: the token was refused (revoked, or expired early); the caller may sign in again once. */
  | { readonly kind: 'unauthorized' };

/** Transport failures that mean "nothing that speaks TLS as Dataverse lives at this URL". */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ENOTFOUND',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
  ...TLS_ERROR_CODES,
]);

const DUPLICATE_RECORD = '0x80040237';

/** Why fetch threw (pure): a URL with no Dataverse behind it, a transient failure, or the attempt's own end. */
export function transportFailure(err: unknown, signal: AbortSignal, host: string): Error {
  if (signal.aborted) {
    return (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError'
      ? // The marketplace's own words for this case: "The request channel timed out while waiting for a reply".
        new InstanceUnreachable(`${host} did not answer within the delivery attempt timeout`)
      : new Interrupted('the sink is stopping');
  }
  const code = errorCode(err) ?? 'unknown';
  if (UNREACHABLE_CODES.has(code)) return new InstanceUnreachable(`${host} cannot be reached over HTTPS (${code})`);
  return new DataverseUnavailable(`${host}: connection failed (${code})`);
}

/** `{"error":{"code":"0x…","message":"…"}}`, Dataverse's error body; undefined for anything else. */
export function parseDataverseError(text: string): { code: string; message: string } | undefined {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error !== 'object' || body.error === null) return undefined;
    return {
      code: typeof body.error.code === 'string' ? body.error.code : '',
      message: typeof body.error.message === 'string' ? body.error.message : '',
    };
  } catch {
    return undefined;
  }
}

/**
 * Creates one lead: `POST {instance}/api/data/v9.2/leads` with the OData headers
 * (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/create-entity-web-api). Because the
 * record carries its own `leadid`, a repeat answers 412 with 0x80040237 (DuplicateRecord): the lead is there.
 */
export async function createLead(args: {
  readonly instanceUrl: string;
  readonly token: string;
  readonly record: DataverseLead;
  readonly signal: AbortSignal;
  readonly scrub: Scrub;
}): Promise<CreateLeadOutcome> {
  const url = `${args.instanceUrl}${WEB_API_PATH}/leads`;
  const host = new URL(url).host;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${args.token}`,
        'content-type': 'application/json; charset=utf-8',
        accept: 'application/json',
        'odata-maxversion': '4.0',
        'odata-version': '4.0',
      },
      body: JSON.stringify(args.record),
      // A redirect means something other than the Web API answered (a sign-in page, another site).
      redirect: 'manual',
      signal: args.signal,
    });
  } catch (err) {
    throw transportFailure(err, args.signal, host);
  }
  const text = await res.text().catch(() => '');
  return readCreateAnswer({
    status: res.status,
    statusText: res.statusText,
    entityId: res.headers.get('odata-entityid'),
    retryAfter: res.headers.get('retry-after'),
    text,
    leadid: args.record.leadid,
    host,
    scrub: args.scrub,
  });
}

/** What Dataverse's answer to a create means (pure): the outcome, or the failure thrown. */
export function readCreateAnswer(a: {
  readonly status: number;
  readonly statusText: string;
  readonly entityId: string | null;
  readonly retryAfter: string | null;
  readonly text: string;
  readonly leadid: string;
  readonly host: string;
  readonly scrub: Scrub;
}): CreateLeadOutcome {
  if (a.status === 204 || a.status === 201) {
    const id = /\(([0-9a-f-]{36})\)\s*$/i.exec(a.entityId ?? '')?.[1];
    if (id) return { kind: 'created', id: id.toLowerCase() };
    if (a.status === 201 && a.text.includes(a.leadid)) return { kind: 'created', id: a.leadid };
    throw new InstanceUnreachable(`${a.host} answered ${a.status} without OData-EntityId: not a Dataverse Web API`);
  }
  if (a.status === 401) return { kind: 'unauthorized' };
  const error = parseDataverseError(a.text);
  if (a.status === 412 && error?.code.toLowerCase() === DUPLICATE_RECORD) return { kind: 'exists', id: a.leadid };
  if (a.status < 400)
    throw new InstanceUnreachable(`${a.host} answered ${a.status} ${a.statusText}: not a Dataverse Web API`);
  const said = error
    ? `${error.code ? `${error.code} ` : ''}${error.message}`.trim()
    : `${a.statusText || 'error'} (not a Dataverse error body)`;
  throw new DataverseFailure(
    a.status,
    error?.code ?? '',
    a.scrub(`Dataverse answered ${a.status} on ${WEB_API_PATH}/leads: ${said}`),
    retryAfterMs(a.retryAfter),
  );
}
