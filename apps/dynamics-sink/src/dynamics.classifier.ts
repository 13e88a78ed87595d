import { isLeadflowError, leadflowError, type ErrorClass, type LeadflowError } from '@leadflow/lead-model';
import { errorSummary } from '@leadflow/sink-runtime';
import {
  AuthorityUnavailable,
  DataverseFailure,
  DataverseUnavailable,
  EntraFailure,
  InstanceUnreachable,
  Interrupted,
  TokenRefused,
} from './dynamics-failures';
import { scrubPatterns } from './scrub';

/**
 * The transient class for an unavailable Entra ID or Dataverse (5xx, resets, sign-in timeouts): retried with
 * backoff like throttling, dead-lettered as transient-exhausted when the budget runs out.
 */
const UNAVAILABLE: ErrorClass = 'DYNAMICS.SERVICE_UNAVAILABLE';

/**
 * Sign-in failures by the AADSTS number in `error_codes` (Microsoft asks apps not to depend on the
 * `error_description` text: https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
 */
export const AADSTS_CLASSES: ReadonlyMap<number, ErrorClass> = new Map<number, ErrorClass>([
  [90002, 'DYNAMICS.AAD_TENANT_NOT_FOUND'],
  [900023, 'DYNAMICS.AAD_INVALID_TENANT_ID'],
  [700016, 'DYNAMICS.AAD_APP_NOT_FOUND'],
  [7000215, 'DYNAMICS.AAD_INVALID_CLIENT_SECRET'],
  // "Error validating the credentials. The specified client_secret does not match" (older form of 7000215).
  [70002, 'DYNAMICS.AAD_INVALID_CLIENT_SECRET'],
  [7000222, 'DYNAMICS.AAD_CLIENT_SECRET_EXPIRED'],
  [50126, 'DYNAMICS.SIGN_IN_FAILED'],
  [50034, 'DYNAMICS.SIGN_IN_FAILED'],
  // The account is locked (50053), its password expired (50055) or it is disabled (50057).
  [50053, 'DYNAMICS.SIGN_IN_FAILED'],
  [50055, 'DYNAMICS.SIGN_IN_FAILED'],
  [50057, 'DYNAMICS.SIGN_IN_FAILED'],
  [50076, 'DYNAMICS.MFA_REQUIRED'],
  [50079, 'DYNAMICS.MFA_REQUIRED'],
]);

/** When `error_codes` names none of the above: the OAuth 2.0 `error` value (RFC 6749 §5.2, never the text). */
export const OAUTH_ERROR_CLASSES: ReadonlyMap<string, ErrorClass> = new Map<string, ErrorClass>([
  ['invalid_tenant', 'DYNAMICS.AAD_TENANT_NOT_FOUND'],
  ['unauthorized_client', 'DYNAMICS.AAD_APP_NOT_FOUND'],
  ['invalid_client', 'DYNAMICS.AAD_INVALID_CLIENT_SECRET'],
  ['invalid_grant', 'DYNAMICS.SIGN_IN_FAILED'],
  ['interaction_required', 'DYNAMICS.MFA_REQUIRED'],
  ['temporarily_unavailable', UNAVAILABLE],
]);

/**
 * Dataverse errors by `error.code`, lower-case hex (the service spells them either way). Codes and names:
 * https://learn.microsoft.com/power-apps/developer/data-platform/reference/web-service-error-codes;
 * service protection: https://learn.microsoft.com/power-apps/developer/data-platform/api-limits.
 */
export const DATAVERSE_CLASSES: ReadonlyMap<string, ErrorClass> = new Map<string, ErrorClass>([
  ['0x80040220', 'DYNAMICS.LEAD_WRITER_ROLE_MISSING'], // PrivilegeDenied (prvCreateLead)
  ['0x8004f502', 'DYNAMICS.LEAD_WRITER_ROLE_MISSING'], // AttributePrivilegeCreateIsMissing (a secured column)
  ['0x80042f09', 'DYNAMICS.NO_ROLES_ASSIGNED'], // UserNotAssignedRoles
  ['0x80072560', 'DYNAMICS.NO_ROLES_ASSIGNED'], // UserNotMemberOfOrg (no application user for the app)
  ['0x8004d24b', 'DYNAMICS.LICENSE_MISSING'], // UserNotAssignedLicense
  ['0x80072321', 'DYNAMICS.THROTTLED'], // combined execution time
  ['0x80072322', 'DYNAMICS.THROTTLED'], // number of requests
  ['0x80072326', 'DYNAMICS.THROTTLED'], // concurrent requests
]);

function entraClass(f: EntraFailure): ErrorClass | undefined {
  for (const code of f.codes) {
    const cls = AADSTS_CLASSES.get(code);
    if (cls) return cls;
  }
  if (f.status !== undefined && (f.status >= 500 || f.status === 429)) return UNAVAILABLE;
  return OAUTH_ERROR_CLASSES.get(f.error);
}

function dataverseClass(f: DataverseFailure): ErrorClass {
  const byCode = f.code ? DATAVERSE_CLASSES.get(f.code.toLowerCase()) : undefined;
  if (byCode) return byCode;
  if (f.status === 429) return 'DYNAMICS.THROTTLED';
  if (f.status === 408 || f.status >= 500) return UNAVAILABLE;
  // No Web API at this URL (or not this version of it).
  if (f.status === 404) return 'DYNAMICS.INSTANCE_UNREACHABLE';
  // Every security failure of the Web API is a 403 (compose-http-requests-handle-errors).
  if (f.status === 403) return 'DYNAMICS.LEAD_WRITER_ROLE_MISSING';
  return 'DYNAMICS.LEAD_REJECTED';
}

/** Whatever a Dynamics delivery threw, as a class of the error catalog. */
export function classifyDynamics(err: unknown): LeadflowError {
  if (isLeadflowError(err)) return err;
  const message = err instanceof Error ? scrubPatterns(err.message) : scrubPatterns(String(err));
  if (err instanceof EntraFailure) {
    const cls = entraClass(err);
    return cls
      ? leadflowError(cls, message)
      : leadflowError('INTERNAL.UNEXPECTED', `unclassified Entra ID answer: ${message}`, { cause: err });
  }
  if (err instanceof DataverseFailure) {
    return leadflowError(
      dataverseClass(err),
      message,
      err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {},
    );
  }
  if (err instanceof TokenRefused) {
    // Entra signed the principal in, but this instance does not know it: an app of another tenant, or a user
    // who is not a member of the organization.
    return leadflowError(err.authKind === 'aad' ? 'DYNAMICS.AAD_APP_NOT_FOUND' : 'DYNAMICS.SIGN_IN_FAILED', message);
  }
  if (err instanceof InstanceUnreachable) return leadflowError('DYNAMICS.INSTANCE_UNREACHABLE', message);
  if (err instanceof AuthorityUnavailable || err instanceof DataverseUnavailable || err instanceof Interrupted)
    return leadflowError(UNAVAILABLE, message);
  return leadflowError('INTERNAL.UNEXPECTED', scrubPatterns(errorSummary(err)), { cause: err });
}
