import { createHash } from 'node:crypto';

/** What a connected app's token grant gives: a bearer token and the org's instance URL. */
export interface SalesforceSession {
  readonly accessToken: string;
  readonly instanceUrl: string;
}

/** Everything that makes a grant: a changed secret or user is a different entry, never a stale token. */
export interface GrantKey {
  readonly loginUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
}

/** Cache key: the login URL and consumer key, and a hash of the secrets (secrets are never kept as keys). */
export function grantKey(g: GrantKey): string {
  const secrets = createHash('sha256')
    .update([g.clientSecret, g.username ?? '', g.password ?? ''].join('\u0000'))
    .digest('base64url');
  return `${g.loginUrl}\u0000${g.clientId}\u0000${secrets}`;
}

/**
 * Sessions per connected app, shared by concurrent deliveries (one grant in flight per key), bounded by least
 * recent use. Salesforce sessions carry no expiry in the token answer (the org's session timeout applies), so
 * a session is kept until a call says INVALID_SESSION_ID; a failed grant is not kept.
 */
export class TokenCache {
  private readonly entries = new Map<string, Promise<SalesforceSession>>();

  constructor(private readonly maxEntries = 1_000) {}

  get(key: string, grant: () => Promise<SalesforceSession>): Promise<SalesforceSession> {
    const cached = this.entries.get(key);
    if (cached) {
      // Map order is recency order: move the entry to the end.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const pending = grant();
    this.entries.set(key, pending);
    pending.catch(() => {
      if (this.entries.get(key) === pending) this.entries.delete(key);
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return pending;
  }

  /** Drops the session a call found invalid, unless a newer one already replaced it. */
  async invalidate(key: string, session: SalesforceSession): Promise<void> {
    const cached = this.entries.get(key);
    if (!cached) return;
    const current = await cached.catch(() => undefined);
    if (current?.accessToken === session.accessToken && this.entries.get(key) === cached) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
