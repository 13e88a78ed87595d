import { isLeadflowError, leadflowError, type ErrorClass, type LeadflowError } from '@leadflow/lead-model';
import { errorCode, errorSummary, TLS_ERROR_CODES, TRANSIENT_NETWORK_CODES } from '@leadflow/sink-runtime';
import { MarketoError, type MarketoEndpoint } from './marketo-errors';
import { nextQuotaReset } from './marketo-pacer';

/** Marketo's transient failures: 604 time-out, 608 temporarily unavailable, 611 system error, 713, 5xx, network. */
const UNAVAILABLE: ErrorClass = 'MARKETO.SERVICE_UNAVAILABLE';

interface Rule {
  readonly cls: ErrorClass;
  /** 606: the window is 20 s, so after 20 s every call Marketo counted has left it. 615: calls last ~1 s. */
  readonly retryAfterMs?: number;
  /** 607: nothing passes before the daily quota resets. */
  readonly untilQuotaReset?: true;
}

const rule = (cls: ErrorClass, extra: Omit<Rule, 'cls'> = {}): Rule => ({ cls, ...extra });

/**
 * Response-level (`success: false`) and record-level (`status: skipped`) codes of "Error Codes"
 * (https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/error-codes). 601/602 reach the
 * classifier only after the one token refresh they deserve has failed too.
 */
const BY_CODE: Readonly<Record<string, Rule>> = {
  '601': rule('MARKETO.AUTH_FAILED'),
  '602': rule('MARKETO.AUTH_FAILED'),
  '603': rule('MARKETO.ACCESS_DENIED'),
  '614': rule('MARKETO.INVALID_SUBSCRIPTION'),
  '616': rule('MARKETO.INVALID_SUBSCRIPTION'),
  '606': rule('MARKETO.QUOTA_EXCEEDED', { retryAfterMs: 20_000 }),
  '615': rule('MARKETO.QUOTA_EXCEEDED', { retryAfterMs: 2_000 }),
  '607': rule('MARKETO.QUOTA_EXCEEDED', { untilQuotaReset: true }),
  '604': rule(UNAVAILABLE),
  '608': rule(UNAVAILABLE),
  '611': rule(UNAVAILABLE),
  '713': rule(UNAVAILABLE),
  '1001': rule('MARKETO.INVALID_DATA'),
  '1003': rule('MARKETO.INVALID_DATA'),
  '1006': rule('MARKETO.FIELD_NOT_FOUND'),
  '1011': rule('MARKETO.FIELD_NOT_FOUND'),
  '1007': rule('MARKETO.MULTIPLE_LEADS_MATCH'),
};

/**
 * Submit Form: "Every field must be defined in the specified form" (Leads, Submit Form), so a field Marketo does
 * not find there is missing from the form. Marketo does not document its answer for an unknown form id; the
 * failed lookup's 702 ("No data found") or 610 ("Requested resource not found") name it.
 */
const SUBMIT_FORM: Readonly<Record<string, Rule>> = {
  '702': rule('MARKETO.FORM_NOT_FOUND'),
  '610': rule('MARKETO.FORM_NOT_FOUND'),
  '1006': rule('MARKETO.FORM_NOT_FOUND'),
  '1011': rule('MARKETO.FORM_NOT_FOUND'),
};

/** HTTP statuses of the identity service and of REST calls. */
function byStatus(endpoint: MarketoEndpoint, status: number): Rule {
  // 401 from identity: "typically because the Client Id or Client Secret is invalid" (Error Codes); 400 is a
  // missing one.
  if (endpoint === 'identity' && (status === 400 || status === 401 || status === 403))
    return rule('MARKETO.AUTH_FAILED');
  // Nothing Marketo-like at the base URL (a 404, or a 200 that is no REST envelope): the Munchkin ID or the
  // configured endpoint is wrong.
  if (status === 404 || (status === 200 && endpoint !== 'identity')) return rule('MARKETO.INVALID_SUBSCRIPTION');
  if (status === 429) return rule('MARKETO.QUOTA_EXCEEDED', { retryAfterMs: 20_000 });
  if (status >= 500 || status === 408) return rule(UNAVAILABLE);
  // 413/414 and other statuses: leadflow built a request Marketo refuses, a bug.
  return rule('INTERNAL.UNEXPECTED');
}

const ENDPOINT_NAMES: Readonly<Record<MarketoEndpoint, string>> = {
  identity: 'identity service',
  syncLeads: 'Sync Leads',
  submitForm: 'Submit Form',
};

function fromMarketo(err: MarketoError): LeadflowError {
  const where = ENDPOINT_NAMES[err.endpoint];
  if (err.level === 'pacer') {
    // leadflow's own count of the daily quota, or a wait for a slot longer than the attempt: the lead waits.
    return leadflowError('MARKETO.QUOTA_EXCEEDED', err.message, {
      waitUntil: err.at + (err.waitMs ?? 1_000),
      retryAfterMs: err.waitMs ?? 1_000,
    });
  }
  const r: Rule =
    err.level === 'identity' || err.level === 'http'
      ? byStatus(err.endpoint, Number(err.code))
      : ((err.endpoint === 'submitForm' ? SUBMIT_FORM[err.code] : undefined) ??
        BY_CODE[err.code] ??
        rule('INTERNAL.UNEXPECTED'));
  const what =
    err.level === 'record'
      ? `Marketo ${where} skipped the record: ${err.code} ${err.message}`
      : err.level === 'response'
        ? `Marketo ${where} failed: ${err.code} ${err.message}`
        : `Marketo ${where} answered HTTP ${err.code}${err.message ? `: ${err.message}` : ''}`;
  return leadflowError(r.cls, what, {
    ...(r.retryAfterMs !== undefined ? { retryAfterMs: r.retryAfterMs } : {}),
    ...(r.untilQuotaReset ? { waitUntil: nextQuotaReset(err.at) } : {}),
    ...(r.cls === 'INTERNAL.UNEXPECTED' ? { cause: err } : {}),
  });
}

/** The one classifier of the Marketo sink: whatever a delivery threw, or a record's outcome, to a catalog class. */
export function classifyMarketo(err: unknown): LeadflowError {
  if (isLeadflowError(err)) return err;
  if (err instanceof MarketoError) return fromMarketo(err);
  const name = (err as { name?: unknown } | null)?.name;
  const code = errorCode(err);
  // The Munchkin ID names the host (<munchkinId>.mktorest.com): a host that does not resolve is a wrong one.
  if (code === 'ENOTFOUND')
    return leadflowError('MARKETO.INVALID_SUBSCRIPTION', `the REST endpoint does not resolve: ${code}`);
  // Marketo's own hosts always verify: a certificate that does not is a base URL that is not Marketo's.
  if (code && TLS_ERROR_CODES.has(code))
    return leadflowError('MARKETO.INVALID_SUBSCRIPTION', `the REST endpoint's certificate does not verify: ${code}`);
  if ((code && TRANSIENT_NETWORK_CODES.has(code)) || name === 'AbortError' || name === 'TimeoutError')
    return leadflowError(UNAVAILABLE, `Marketo did not answer: ${code ?? errorSummary(err)}`);
  return leadflowError('INTERNAL.UNEXPECTED', errorSummary(err), { cause: err });
}
