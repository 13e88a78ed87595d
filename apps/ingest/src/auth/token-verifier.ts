import { secretDigest, secretEquals } from './secret-compare';

/** What a bearer token may do. Admin tokens may also do everything a producer token may. */
export type Scope = 'producer' | 'admin';

export interface TokenSets {
  readonly producer: readonly string[];
  readonly admin: readonly string[];
}

/** Checks bearer tokens against the configured ones without leaking which one matched through timing. */
export class TokenVerifier {
  private readonly entries: readonly { digest: Buffer; scope: Scope }[];

  constructor(tokens: TokenSets) {
    this.entries = [
      ...tokens.admin.map((t) => ({ digest: secretDigest(t), scope: 'admin' as const })),
      ...tokens.producer.map((t) => ({ digest: secretDigest(t), scope: 'producer' as const })),
    ];
  }

  /** The strongest scope the token grants, or undefined for an unknown token. */
  scopeOf(token: string): Scope | undefined {
    let found: Scope | undefined;
    // Every entry is compared (no early exit), so the time taken does not depend on which one matched.
    for (const entry of this.entries) {
      if (secretEquals(token, entry.digest) && found !== 'admin') found = entry.scope;
    }
    return found;
  }
}

/** The token of an `Authorization: Bearer <token>` header; undefined when absent or of another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return match?.[1];
}
