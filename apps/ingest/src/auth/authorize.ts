import { decide, type Action, type Caller } from '@leadflow/access';
import type { Authentication } from './authenticate';
import { bearerToken } from './bearer';
import { verifyOfferSignature } from './url-signature';

/** What a route requires: an action (checked on the path's offer, if any), optionally satisfied by the offer's `sig`. */
export interface AccessRule {
  readonly action: Action;
  /** The offer's signed URL (`?sig=`) stands in for a token (lead intake on an offer's URL). */
  readonly signature?: boolean;
}

export interface Credentials {
  readonly authorization?: string;
  readonly sig?: string;
  /** The offer of an offer-scoped route: a `sig` is checked against it, and the caller's publishers too. */
  readonly offerId?: string;
}

/** Who a request was admitted as: a caller proven by a token, or the holder of one offer's signed URL. */
export type Principal =
  { readonly kind: 'caller'; readonly caller: Caller } | { readonly kind: 'signature'; readonly offerId: string };

export type AuthDecision =
  | { readonly ok: true; readonly principal: Principal }
  | {
      readonly ok: false;
      /** 404: another publisher's offer, answered as if it did not exist. 503: the issuer's keys are unreachable. */
      readonly status: 401 | 403 | 404 | 503;
      /** Stable, bounded code for the refusal metric: never the token, never a claim value. */
      readonly code: RefusalCode;
      readonly reason: string;
      readonly challenge?: string;
    };

export type RefusalCode =
  | 'missing'
  | 'bad-signature-url'
  | 'not-bearer'
  | Exclude<Authentication, { ok: true }>['reason']
  | 'insufficient-role'
  | 'other-publisher';

const REALM = 'Bearer realm="leadflow"';
const INVALID = `${REALM}, error="invalid_token"`;

/** The audit trail's and rate limiter's name for a principal (never a secret). */
export function principalId(principal: Principal): string {
  return principal.kind === 'caller' ? principal.caller.subject : `signed-url:${principal.offerId}`;
}

/**
 * Decides whether a request may run: authentication (signature, static token or JWT, through `authenticate`), then
 * the access decision of libs/access on the path's offer. Pure but for `authenticate`, which the gate supplies.
 */
export async function authorize(
  rule: AccessRule,
  creds: Credentials,
  authenticate: (token: string) => Promise<Authentication>,
  urlSigningKey: string,
): Promise<AuthDecision> {
  if (rule.signature && creds.sig !== undefined && creds.authorization === undefined) {
    if (creds.offerId !== undefined && verifyOfferSignature(urlSigningKey, creds.offerId, creds.sig)) {
      return { ok: true, principal: { kind: 'signature', offerId: creds.offerId } };
    }
    return {
      ok: false,
      status: 401,
      code: 'bad-signature-url',
      reason: 'The sig parameter does not match this offer.',
      challenge: REALM,
    };
  }
  if (creds.authorization === undefined) {
    return { ok: false, status: 401, code: 'missing', reason: 'A bearer token is required.', challenge: REALM };
  }
  const token = bearerToken(creds.authorization);
  if (token === undefined) {
    return { ok: false, status: 401, code: 'not-bearer', reason: 'The bearer token is not valid.', challenge: INVALID };
  }
  const authn = await authenticate(token);
  if (!authn.ok) {
    return authn.status === 503
      ? {
          ok: false,
          status: 503,
          code: authn.reason,
          reason: "The identity provider's signing keys cannot be fetched; retry later.",
        }
      : { ok: false, status: 401, code: authn.reason, reason: 'The bearer token is not valid.', challenge: INVALID };
  }
  const decision = decide(authn.caller, rule.action, creds.offerId);
  if (decision.outcome === 'forbidden') {
    return {
      ok: false,
      status: 403,
      code: 'insufficient-role',
      reason: `This token's roles do not allow ${rule.action}.`,
      challenge: `${REALM}, error="insufficient_scope"`,
    };
  }
  if (decision.outcome === 'not-found') {
    return {
      ok: false,
      status: 404,
      code: 'other-publisher',
      reason: 'The offer is not one of the caller’s publishers.',
    };
  }
  return { ok: true, principal: { kind: 'caller', caller: authn.caller } };
}
