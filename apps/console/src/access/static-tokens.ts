import { tokenDigest, type StaticTokenEntry } from '@leadflow/access';

/**
 * `LEADFLOW_CONSOLE_TOKENS`: comma-separated `name=token` (or a bare token, named by a prefix of its hash), the
 * console's own list from before roles. Each becomes an operator's static token (a digest; the name is its id), so
 * the local stack and scripts keep working; scoped access is configured with LEADFLOW_STATIC_TOKENS or an issuer.
 * Returns the reason as a string when the list is not usable (never quoting a token).
 */
export function parseTokens(raw: string): StaticTokenEntry[] | string {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const out: StaticTokenEntry[] = [];
  for (const [i, item] of items.entries()) {
    const eq = item.indexOf('=');
    const name = eq > 0 ? item.slice(0, eq) : undefined;
    const token = eq > 0 ? item.slice(eq + 1) : item;
    if (token.length < 8) return `token ${i + 1} is shorter than 8 characters`;
    if (name !== undefined && !/^[A-Za-z0-9._@-]{1,64}$/.test(name))
      return `token ${i + 1}: a name is 1-64 letters, digits, '.', '_', '@' or '-'`;
    const sha256 = tokenDigest(token);
    out.push({ id: name ?? `token-${sha256.slice(0, 8)}`, sha256, roles: ['operator'], publishers: [] });
  }
  return out;
}
