import { createHash, timingSafeEqual } from 'node:crypto';
import type { AccessPolicy, Principal } from './access';

/** A configured console token: who it is (shown as "replayed by"), and the SHA-256 of the secret. */
export interface ConsoleToken {
  readonly name: string;
  readonly digest: Buffer;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * `LEADFLOW_CONSOLE_TOKENS`: comma-separated `name=token` (or a bare token, named by a prefix of its hash).
 * Returns the reason as a string when the list is not usable (never quoting a token).
 */
export function parseTokens(raw: string): ConsoleToken[] | string {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) return 'at least one token is required';
  const out: ConsoleToken[] = [];
  for (const [i, item] of items.entries()) {
    const eq = item.indexOf('=');
    const name = eq > 0 ? item.slice(0, eq) : undefined;
    const token = eq > 0 ? item.slice(eq + 1) : item;
    if (token.length < 8) return `token ${i + 1} is shorter than 8 characters`;
    if (name !== undefined && !/^[A-Za-z0-9._@-]{1,64}$/.test(name))
      return `token ${i + 1}: a name is 1-64 letters, digits, '.', '_', '@' or '-'`;
    const d = digest(token);
    out.push({ name: name ?? `token-${d.subarray(0, 4).toString('hex')}`, digest: d });
  }
  return out;
}

/**
 * Today's access model, as the ingest's: static bearer tokens, each allowed everything. Every token is compared
 * (no early exit), over hashes of equal length, so timing tells nothing about which matched.
 */
export function staticTokenPolicy(tokens: readonly ConsoleToken[]): AccessPolicy {
  return {
    authenticate(token) {
      const d = digest(token);
      let found: ConsoleToken | undefined;
      for (const t of tokens) if (timingSafeEqual(d, t.digest) && !found) found = t;
      return found ? { name: found.name } : undefined;
    },
    may: (_principal: Principal) => true,
  };
}
