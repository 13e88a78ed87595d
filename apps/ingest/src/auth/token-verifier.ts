import { secretDigest, secretEquals } from './secret-compare';

/** What a bearer token may do. Admin tokens may also do everything a producer token may. */
export type Scope = 'producer' | 'admin';

/** A configured token that matched: its scope and a non-secret id (rate-limit bucket, never logged with the token). */
export interface TokenMatch {
  readonly scope: Scope;
  readonly tokenId: string;
}

export interface TokenSets {
  readonly producer: readonly string[];
  readonly admin: readonly string[];
}

/** Checks bearer tokens against the configured ones without leaking which one matched through timing. */
export class TokenVerifier {
  private readonly entries: readonly { digest: Buffer; scope: Scope; tokenId: string }[];

  constructor(tokens: TokenSets) {
    const entry = (t: string, scope: Scope) => {
      const digest = secretDigest(t);
      // A prefix of the SHA-256 of the token names it without revealing it (nor enough of it to guess).
      return { digest, scope, tokenId: digest.subarray(0, 6).toString('hex') };
    };
    this.entries = [...tokens.admin.map((t) => entry(t, 'admin')), ...tokens.producer.map((t) => entry(t, 'producer'))];
  }

  /** The strongest scope the token grants and the token's id, or undefined for an unknown token. */
  identify(token: string): TokenMatch | undefined {
    let found: TokenMatch | undefined;
    // Every entry is compared (no early exit), so the time taken does not depend on which one matched.
    for (const entry of this.entries) {
      if (secretEquals(token, entry.digest) && found?.scope !== 'admin') found = entry;
    }
    return found === undefined ? undefined : { scope: found.scope, tokenId: found.tokenId };
  }
}

/** The token of an `Authorization: Bearer <token>` header; undefined when absent or of another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return match?.[1];
}
