import { isLeadflowError, leadflowError, type ErrorClass, type LeadflowError } from '@leadflow/lead-model';
import { errorCode, errorSummary, TLS_ERROR_CODES, TRANSIENT_NETWORK_CODES } from '@leadflow/sink-runtime';
import {
  SalesforceApiError,
  SalesforceAuthError,
  scrub,
  WebToLeadHttpError,
  WebToLeadNetworkError,
} from './salesforce.errors';

/**
 * A server error or a dropped connection, a record refused for a reason that is not one of the org's rules, and an
 * endpoint that is not Salesforce at all.
 */
const INTERIM = {
  serviceUnavailable: 'SALESFORCE.SERVICE_UNAVAILABLE',
  leadRejected: 'SALESFORCE.LEAD_REJECTED',
  loginEndpointInvalid: 'SALESFORCE.ENDPOINT_INVALID',
  webToLeadEndpointInvalid: 'SALESFORCE.ENDPOINT_INVALID',
} as const satisfies Record<string, ErrorClass>;

/**
 * Salesforce's codes and the class each one means. OAuth errors: "OAuth 2.0 Authorization Errors" (Salesforce
 * Help); REST and record errors: "Status Codes and Error Responses" and StatusCode (SOAP API Developer Guide).
 */
export const SALESFORCE_CLASSES: Readonly<Record<string, ErrorClass>> = {
  // Token endpoint.
  invalid_client_id: 'SALESFORCE.AUTH_INVALID_CLIENT',
  invalid_client: 'SALESFORCE.AUTH_INVALID_CLIENT',
  invalid_grant: 'SALESFORCE.AUTH_FAILED',
  unsupported_grant_type: 'SALESFORCE.AUTH_FAILED',
  inactive_user: 'SALESFORCE.AUTH_FAILED',
  inactive_org: 'SALESFORCE.AUTH_FAILED',
  // A session still refused after one refresh: the app's scopes or the user's profile keep the API closed.
  INVALID_SESSION_ID: 'SALESFORCE.AUTH_FAILED',
  API_DISABLED_FOR_ORG: 'SALESFORCE.AUTH_FAILED',
  INSUFFICIENT_ACCESS: 'SALESFORCE.AUTH_FAILED',
  // Records.
  REQUIRED_FIELD_MISSING: 'SALESFORCE.REQUIRED_FIELD_MISSING',
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: 'SALESFORCE.RESTRICTED_PICKLIST',
  FIELD_CUSTOM_VALIDATION_EXCEPTION: 'SALESFORCE.VALIDATION_RULE',
  DUPLICATES_DETECTED: 'SALESFORCE.DUPLICATE_RULE',
  DUPLICATE_VALUE: 'SALESFORCE.DUPLICATE_RULE',
  // Limits and passing trouble.
  REQUEST_LIMIT_EXCEEDED: 'SALESFORCE.API_LIMIT',
  UNABLE_TO_LOCK_ROW: INTERIM.serviceUnavailable,
  SERVER_UNAVAILABLE: INTERIM.serviceUnavailable,
  // The URL answers, but not as Salesforce's REST API.
  NOT_FOUND: INTERIM.loginEndpointInvalid,
};

/** `ERROR_HTTP_503` → 503: jsforce's code for an answer without a Salesforce error body. */
const httpStatusOf = (code: string): number | undefined => {
  const m = /^ERROR_HTTP_(\d{3})$/.exec(code);
  return m ? Number(m[1]) : undefined;
};

/** The endpoint is not there: a name that does not resolve, or a certificate that does not verify. */
const BAD_ENDPOINT: ReadonlySet<string> = new Set(['ENOTFOUND', ...TLS_ERROR_CODES]);

function byStatus(status: number, what: string, endpointInvalid: ErrorClass): LeadflowError {
  if (status === 408 || status === 429 || status >= 500) return leadflowError(INTERIM.serviceUnavailable, what);
  return leadflowError(endpointInvalid, what);
}

/** Salesforce's answers, whichever mode, mapped to the error catalog. */
export function classifySalesforce(err: unknown): LeadflowError {
  if (isLeadflowError(err)) return err;
  if (err instanceof SalesforceAuthError) {
    return leadflowError(SALESFORCE_CLASSES[err.error] ?? INTERIM.loginEndpointInvalid, scrub(err.message));
  }
  if (err instanceof SalesforceApiError) {
    const status = httpStatusOf(err.code);
    if (status !== undefined) return byStatus(status, err.message, INTERIM.loginEndpointInvalid);
    return leadflowError(SALESFORCE_CLASSES[err.code] ?? INTERIM.leadRejected, err.message);
  }
  if (err instanceof WebToLeadHttpError) return byStatus(err.status, err.message, INTERIM.webToLeadEndpointInvalid);
  if (err instanceof WebToLeadNetworkError) return byNetwork(err.cause, INTERIM.webToLeadEndpointInvalid);
  return byNetwork(err, INTERIM.loginEndpointInvalid);
}

/** A call that got no answer: a timeout or reset is passing; a name that does not resolve or verify is not. */
function byNetwork(err: unknown, endpointInvalid: ErrorClass): LeadflowError {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'AbortError' || name === 'TimeoutError') {
    return leadflowError(INTERIM.serviceUnavailable, `no answer in time: ${errorSummary(err)}`);
  }
  const code = errorCode(err);
  if (code && TRANSIENT_NETWORK_CODES.has(code)) return leadflowError(INTERIM.serviceUnavailable, errorSummary(err));
  if (code && BAD_ENDPOINT.has(code)) {
    return leadflowError(endpointInvalid, `the endpoint does not resolve or verify: ${errorSummary(err)}`);
  }
  return leadflowError('INTERNAL.UNEXPECTED', scrub(errorSummary(err)), { cause: err });
}
