/**
 * Who may use the console, decided in one place. Today a static token admits its holder to everything (the
 * ingest's model); the access issue's roles and per-publisher scoping replace `staticTokenPolicy` with a policy
 * that answers `may` per action and offer, without touching a route.
 */
export interface Principal {
  /** Shown as who replayed and who revealed; never the token. */
  readonly name: string;
}

/** What a principal may do. `offerId` is set for actions on one offer's data. */
export type Action =
  | { readonly kind: 'read'; readonly offerId?: string }
  | { readonly kind: 'reveal-pii'; readonly offerId?: string }
  | { readonly kind: 'replay' };

export interface AccessPolicy {
  /** The principal of a bearer token, or undefined for an unknown one. */
  authenticate(token: string): Principal | undefined;
  may(principal: Principal, action: Action): boolean;
}

/** The token of an `Authorization: Bearer <token>` header; undefined when absent or of another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header)?.[1];
}
