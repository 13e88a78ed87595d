import { bearerToken, type Scope, type TokenVerifier } from './token-verifier';
import { verifyOfferSignature } from './url-signature';

/** What a route requires: a producer token, an admin token, or a producer token or the offer's `sig`. */
export type Access = 'producer' | 'admin' | 'producer-or-signature';

export interface Credentials {
  readonly authorization?: string;
  readonly sig?: string;
  /** The offer of an offer-scoped route, which a `sig` is checked against. */
  readonly offerId?: string;
}

export type Principal =
  | { readonly kind: 'token'; readonly scope: Scope; readonly tokenId: string }
  | { readonly kind: 'signature'; readonly offerId: string };

export type AuthDecision =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly status: 401 | 403; readonly reason: string; readonly challenge?: string };

const REALM = 'Bearer realm="leadflow"';

/** Pure: decides whether the credentials of a request satisfy a route's access rule. */
export function authorize(
  access: Access,
  creds: Credentials,
  tokens: TokenVerifier,
  urlSigningKey: string,
): AuthDecision {
  if (access === 'producer-or-signature' && creds.sig !== undefined && creds.authorization === undefined) {
    if (creds.offerId !== undefined && verifyOfferSignature(urlSigningKey, creds.offerId, creds.sig)) {
      return { ok: true, principal: { kind: 'signature', offerId: creds.offerId } };
    }
    return { ok: false, status: 401, reason: 'The sig parameter does not match this offer.', challenge: REALM };
  }
  if (creds.authorization === undefined) {
    return { ok: false, status: 401, reason: 'A bearer token is required.', challenge: REALM };
  }
  const token = bearerToken(creds.authorization);
  const match = token === undefined ? undefined : tokens.identify(token);
  if (match === undefined) {
    return {
      ok: false,
      status: 401,
      reason: 'The bearer token is not valid.',
      challenge: `${REALM}, error="invalid_token"`,
    };
  }
  if (access === 'admin' && match.scope !== 'admin') {
    return {
      ok: false,
      status: 403,
      reason: 'This token may send leads but not change offer configuration.',
      challenge: `${REALM}, error="insufficient_scope"`,
    };
  }
  return { ok: true, principal: { kind: 'token', scope: match.scope, tokenId: match.tokenId } };
}
