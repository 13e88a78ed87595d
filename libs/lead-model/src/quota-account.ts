import { createHash } from 'node:crypto';

/**
 * The account whose quota a destination spends, when its CRM limits calls per account rather than per integration:
 * Marketo per Munchkin ID (100 calls in 20 s, 10 at once, a daily quota), Salesforce Web-to-Lead per org (500 a
 * day), Dataverse per user of an environment (6,000 requests in 5 minutes, 52 at once). The router keys route
 * records by it, so that one account's leads, whatever their offers, live on one partition and one sink instance,
 * which alone spends the account's quota. Undefined when the destination has no such account (its records keep the
 * offer id as key).
 *
 * Read from the destination's plain fields only (the router cannot open sealed secrets). The Dataverse user is
 * hashed: a user name is personal data and the key is visible to anyone who can read the topic.
 */
export function quotaAccount(destination: { readonly type: string }): string | undefined {
  const d = destination as Record<string, unknown>;
  switch (d['type']) {
    case 'marketo':
      return typeof d['munchkinId'] === 'string' ? `marketo:${d['munchkinId'].toUpperCase()}` : undefined;
    case 'salesforce':
      // An 18-character org id is the 15-character one plus a checksum: the same org either way.
      return d['mode'] === 'web-to-lead' && typeof d['orgId'] === 'string'
        ? `salesforce:${d['orgId'].slice(0, 15)}`
        : undefined;
    case 'dynamics': {
      const auth = d['auth'] as Record<string, unknown> | undefined;
      const user = auth?.['kind'] === 'aad' ? auth['clientId'] : auth?.['username'];
      if (typeof d['url'] !== 'string' || typeof user !== 'string') return undefined;
      let host: string;
      try {
        host = new URL(d['url']).host.toLowerCase();
      } catch {
        return undefined;
      }
      const id = createHash('sha256').update(`${host}\n${user.toLowerCase()}`).digest('base64url').slice(0, 22);
      return `dynamics:${id}`;
    }
    default:
      return undefined;
  }
}
