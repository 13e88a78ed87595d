import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { endClientSpan, startClientSpan, TRACED_BY_CALLER } from '@leadflow/observability';
import { retryAfterMs } from '@leadflow/sink-runtime';
import { addressKind, isAllowed, type AllowedAddresses } from './address-policy';

export class AddressNotAllowedError extends Error {
  constructor(readonly host: string) {
    super(`${host} resolves to a non-public address`);
    this.name = 'AddressNotAllowedError';
  }
}

export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`endpoint answered HTTP ${status}`);
    this.name = 'HttpStatusError';
  }
}

export class TooManyRedirectsError extends Error {}

export interface PostOptions {
  readonly url: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly allow: AllowedAddresses;
  readonly signal: AbortSignal;
  readonly maxRedirects?: number;
}

/** The address check happens after DNS resolution, on the address the socket will use (no rebinding gap). */
function guardedLookup(host: string, allow: AllowedAddresses): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const ok = addresses.filter((a) => isAllowed(a.address, allow));
      if (ok.length === 0) return callback(new AddressNotAllowedError(host), '', 0);
      if (options.all) return callback(null, ok);
      const first = ok[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}

/** Seconds or an HTTP date, as RFC 9110 allows. */

function postOnce(url: URL, o: PostOptions): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Node connects to an IP literal without calling lookup: check it here.
  if (isIP(host) && !isAllowed(host, o.allow)) return Promise.reject(new AddressNotAllowedError(host));
  // Plain http only to a local receiver the operator allowed; TLS verification is never turned off.
  if (url.protocol === 'http:' && (!isIP(host) || addressKind(host) === 'public') && host !== 'localhost') {
    return Promise.reject(new AddressNotAllowedError(`${host} (http:// is only for allowed local receivers)`));
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(o.body).toString(),
    ...o.headers,
  };
  // The lead's trace goes on at the receiver (traceparent); the span is ours, not the HTTP instrumentation's.
  const span = startClientSpan('POST', url, headers);
  const options: RequestOptions & { [TRACED_BY_CALLER]: true } = {
    method: 'POST',
    headers,
    lookup: guardedLookup(host, o.allow),
    signal: o.signal,
    [TRACED_BY_CALLER]: true,
  };
  return new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) => {
    const req = request(url, options, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  }).then(
    (answer) => {
      endClientSpan(span, answer.status);
      return answer;
    },
    (err: unknown) => {
      endClientSpan(span, undefined, err);
      throw err;
    },
  );
}

/** POSTs JSON, following at most `maxRedirects` redirects (each target checked again); throws on non-2xx. */
export async function guardedPost(o: PostOptions): Promise<number> {
  let url = new URL(o.url);
  for (let hop = 0; hop <= (o.maxRedirects ?? 3); hop++) {
    const { status, headers } = await postOnce(url, o);
    if (status >= 200 && status < 300) return status;
    if ([301, 302, 303, 307, 308].includes(status) && headers.location) {
      url = new URL(headers.location, url);
      continue;
    }
    const retryAfter = headers['retry-after'];
    throw new HttpStatusError(status, retryAfterMs(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter));
  }
  throw new TooManyRedirectsError(`more than ${o.maxRedirects ?? 3} redirects`);
}
