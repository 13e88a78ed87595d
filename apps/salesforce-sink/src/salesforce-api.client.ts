import { Connection, OAuth2 } from 'jsforce';
import type { LeadRecord } from './lead-mapping';
import { errorEntry, SalesforceApiError, SalesforceAuthError, type SalesforceErrorEntry } from './salesforce.errors';
import type { GrantKey, SalesforceSession } from './token-cache';

/** The API version when the destination names none (Winter '25). */
export const DEFAULT_API_VERSION = '62.0';

export type ApiEndpoint = 'token' | 'sobject' | 'collection' | 'upsert';

/** One record's result, in the order of the records sent. */
export type RecordResult =
  { readonly ok: true; readonly id: string } | { readonly ok: false; readonly errors: unknown[] };

/**
 * jsforce takes no AbortSignal: the caller stops waiting when the signal fires (the runtime's attempt timeout
 * or shutdown) and the call's result, should it come, is ignored.
 */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

/** jsforce raises OAuth errors as an Error named after the OAuth `error` code (or ERROR_HTTP_<status>). */
const OAUTH_ERROR_NAME = /^(?:[a-z][a-z_]+|ERROR_HTTP_\d{3})$/;

/**
 * A session from the token endpoint `{loginUrl}/services/oauth2/token`: the client credentials flow of the
 * connected app, or the username-password flow when both are configured (Salesforce is retiring it).
 */
export async function requestSession(grant: GrantKey, signal: AbortSignal): Promise<SalesforceSession> {
  const oauth2 = new OAuth2({ loginUrl: grant.loginUrl, clientId: grant.clientId, clientSecret: grant.clientSecret });
  try {
    const res = await abortable(
      grant.username && grant.password
        ? oauth2.authenticate(grant.username, grant.password)
        : oauth2.requestToken({ grant_type: 'client_credentials' }),
      signal,
    );
    if (!res?.access_token || !res.instance_url) {
      throw new SalesforceAuthError('ERROR_HTTP_200', 'the token endpoint answered without a token');
    }
    return { accessToken: res.access_token, instanceUrl: res.instance_url };
  } catch (err) {
    if (err instanceof Error && OAUTH_ERROR_NAME.test(err.name) && !(err instanceof SalesforceAuthError)) {
      // An HTML error page can come back as the description: keep it short.
      throw new SalesforceAuthError(err.name, err.message.slice(0, 300));
    }
    throw err;
  }
}

/** jsforce's HttpApiError (`errorCode`, `data`) as the error array Salesforce sent. */
function toApiError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const { errorCode, data } = err as { errorCode?: unknown; data?: unknown };
  if (typeof errorCode !== 'string') return err;
  const entries: SalesforceErrorEntry[] = (Array.isArray(data) ? data : [data])
    .map((d) => errorEntry(d))
    .filter((e): e is SalesforceErrorEntry => e !== undefined);
  return new SalesforceApiError(
    entries.length > 0 && errorCode === 'MULTIPLE_API_ERRORS'
      ? entries
      : [{ errorCode, message: (entries[0]?.message ?? err.message).slice(0, 500), fields: entries[0]?.fields ?? [] }],
  );
}

export interface WriteOptions {
  readonly apiVersion: string;
  readonly externalIdField?: string | undefined;
  readonly signal: AbortSignal;
  /** Called once per API call, with its endpoint and whether it was answered without an error. */
  readonly onCall: (endpoint: ApiEndpoint, ok: boolean) => void;
}

/**
 * Writes Lead records (at most 200) in one call: upsert on the external-id field through sObject Collections
 * when there is one; otherwise one record through `sobjects/Lead`, several through sObject Collections. Always
 * `allOrNone: false`, so each record succeeds or fails alone. A refused call throws SalesforceApiError.
 */
export async function writeLeads(
  session: SalesforceSession,
  records: readonly LeadRecord[],
  opts: WriteOptions,
): Promise<RecordResult[]> {
  const conn = new Connection({
    instanceUrl: session.instanceUrl,
    accessToken: session.accessToken,
    version: opts.apiVersion,
  });
  const endpoint: ApiEndpoint = opts.externalIdField ? 'upsert' : records.length === 1 ? 'sobject' : 'collection';
  try {
    let results: unknown[];
    if (opts.externalIdField) {
      results = await abortable(
        conn.upsert('Lead', [...records], opts.externalIdField, { allOrNone: false }),
        opts.signal,
      );
    } else if (records.length === 1 && records[0]) {
      try {
        results = [await abortable(conn.create('Lead', records[0]), opts.signal)];
      } catch (err) {
        // A single create answers a refused record with 400 and the error array: that is this record's result.
        const apiError = toApiError(err);
        if (apiError instanceof SalesforceApiError && isRecordError(apiError)) {
          opts.onCall(endpoint, false);
          return [{ ok: false, errors: apiError.errors.map((e) => ({ ...e })) }];
        }
        throw apiError;
      }
    } else {
      results = await abortable(conn.create('Lead', [...records], { allOrNone: false }), opts.signal);
    }
    opts.onCall(endpoint, true);
    return records.map((_, i) => toRecordResult(results[i]));
  } catch (err) {
    opts.onCall(endpoint, false);
    throw toApiError(err);
  }
}

/** Errors about a request as a whole (session, limits, HTTP), as opposed to the record it carried. */
const REQUEST_ERRORS = new Set(['INVALID_SESSION_ID', 'REQUEST_LIMIT_EXCEEDED', 'API_DISABLED_FOR_ORG', 'NOT_FOUND']);

function isRecordError(err: SalesforceApiError): boolean {
  return !REQUEST_ERRORS.has(err.code) && !err.code.startsWith('ERROR_HTTP_');
}

function toRecordResult(value: unknown): RecordResult {
  const r = (value ?? {}) as { success?: unknown; id?: unknown; errors?: unknown };
  if (r.success === true && typeof r.id === 'string') return { ok: true, id: r.id };
  return { ok: false, errors: Array.isArray(r.errors) ? r.errors : [] };
}
