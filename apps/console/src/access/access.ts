import type { Caller } from '@leadflow/access';

/**
 * Who may use the console, decided in one place (`AccessPolicy`); routes only say what they are about to do. The
 * decision itself is libs/access's, the same as the ingest API's (roles, publishers from a claim, 404 for another
 * publisher's offer): see `accessPolicy` in ./policy.
 */
export interface Principal {
  /** Shown as who replayed and who revealed: a static token's id or a JWT's subject; never the token. */
  readonly name: string;
  readonly caller: Caller;
}

/**
 * What a principal asks to do. `offerId` is set for actions on one offer's data; without it, `read` asks whether
 * the principal may read anything at all (lists are then filtered with `AccessPolicy.visible`). A replay names the
 * offers its filter selects (none: every offer).
 */
export type Action =
  | { readonly kind: 'read'; readonly offerId?: string }
  | { readonly kind: 'reveal-pii'; readonly offerId?: string }
  | { readonly kind: 'replay'; readonly offerIds?: readonly string[] };

/** `not-found`: another publisher's offer, answered as if it did not exist (404, never 403). */
export type Verdict = 'allow' | 'forbidden' | 'not-found';

/** A bearer token checked: a principal, a refusal (401), or "the issuer's keys cannot be fetched now" (503). */
export type Authentication =
  { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly status: 401 | 503 };

/** `'all'`, or a filter over offer ids (`undefined`: data of no offer, such as a lead malformed at intake). */
export type OfferScope = 'all' | ((offerId: string | undefined) => boolean);

export interface AccessPolicy {
  authenticate(token: string): Promise<Authentication>;
  may(principal: Principal, action: Action): Verdict;
  /** Which offers' data (dead letters, leads, offers) the principal may read: all, or those the filter keeps. */
  visible(principal: Principal): OfferScope;
}

/** The token of an `Authorization: Bearer <token>` header; undefined when absent or of another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header)?.[1];
}
