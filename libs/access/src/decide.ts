/**
 * Who may do what on which offer: the pure decision core of leadflow's access control. Every surface (the ingest
 * API, the console, leadctl) authenticates its caller its own way, turns the result into a `Caller`, and asks
 * `decide`. Nothing here knows HTTP, Kafka or a token format.
 */

/** The roles a token may carry (Entra app-role values; the static tokens of the local stack name them too). */
export const ROLES = ['producer', 'publisher', 'analyst', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** What a caller asks to do. Offer-scoped actions name the offer; the others are about the caller alone. */
export const ACTIONS = [
  /** Send a lead (to any offer for a producer; to its own offers' URLs for a publisher). */
  'lead.send',
  /** Read an offer's (masked) destination. */
  'offer.read',
  /** Put or delete an offer's destination (which also sends its validation lead). */
  'offer.configure',
  /** Read an offer's validation status, last delivery and dead-letter count. */
  'offer.status',
  /** Read dead letters (masked). */
  'deadletter.read',
  /** Replay dead letters. */
  'deadletter.replay',
  /** See a dead letter's personal data unmasked (always audited). */
  'pii.reveal',
  /** Read the audit trail. */
  'audit.read',
] as const;
export type Action = (typeof ACTIONS)[number];

/** The publishers a caller acts for: every one, or the listed publisher ids. */
export type PublisherScope = 'all' | ReadonlySet<string>;

/** An authenticated caller, whatever proved it (a signed JWT, a static token). */
export interface Caller {
  /** Stable, non-secret id for audit and rate limits: `<tid>/<oid>` or `sub` of a JWT, `static:<id>` of a token. */
  readonly subject: string;
  readonly roles: ReadonlySet<Role>;
  /** The publisher ids the token names (its publishers claim); `'all'` when it names `*`. */
  readonly publishers: PublisherScope;
}

/** Which actions each role grants, and whether the role is bound to the caller's publishers. */
const GRANTS: Readonly<Record<Role, { readonly actions: readonly Action[]; readonly scoped: boolean }>> = {
  // The marketplace (or a direct producer) sends leads for every offer; it reads nothing back.
  producer: { actions: ['lead.send'], scoped: false },
  // A publisher manages and reads its own offers, and may send test leads to them.
  publisher: { actions: ['lead.send', 'offer.read', 'offer.configure', 'offer.status'], scoped: true },
  // An analyst works the dead letters of its publishers (or of all, with `*`): no configuration changes.
  analyst: { actions: ['offer.status', 'deadletter.read', 'deadletter.replay', 'pii.reveal'], scoped: true },
  operator: { actions: ACTIONS, scoped: false },
};

/**
 * The answer to "may this caller do this?". `forbidden` (403) when no role of the caller grants the action at all,
 * which says nothing about any offer; `not-found` (404) when a role grants it but not on this offer's publisher, so
 * a caller cannot learn whether another publisher's offer exists.
 */
export type Decision = { readonly outcome: 'allow' } | { readonly outcome: 'forbidden' | 'not-found' };

const ALLOW: Decision = { outcome: 'allow' };
const FORBIDDEN: Decision = { outcome: 'forbidden' };
const NOT_FOUND: Decision = { outcome: 'not-found' };

/** The publisher part of `publisherid.offerid`; undefined when the id has no `.`. */
export function publisherOf(offerId: string): string | undefined {
  const dot = offerId.indexOf('.');
  return dot > 0 ? offerId.slice(0, dot) : undefined;
}

/** The publishers for which `caller` may do `action`: `'all'`, a set (possibly empty). */
export function publishersFor(caller: Caller, action: Action): PublisherScope {
  const owned = new Set<string>();
  for (const role of caller.roles) {
    const grant = GRANTS[role];
    if (!grant.actions.includes(action)) continue;
    // A publisher's own offers are the ones its claim lists; `*` is honoured for analysts only, so a
    // mis-issued publisher token cannot reconfigure every offer of the marketplace.
    if (!grant.scoped || (role === 'analyst' && caller.publishers === 'all')) return 'all';
    if (caller.publishers !== 'all') for (const p of caller.publishers) owned.add(p);
  }
  return owned;
}

/** True when some role of the caller grants `action` (on at least one publisher's offers). */
export function hasAction(caller: Caller, action: Action): boolean {
  return [...caller.roles].some((role) => GRANTS[role].actions.includes(action));
}

/**
 * May `caller` do `action` on `offerId`? Without an offer (a lead whose offer is in the body, a replay of every
 * offer), only a caller allowed on every publisher's offers may.
 */
export function decide(caller: Caller, action: Action, offerId?: string): Decision {
  if (!hasAction(caller, action)) return FORBIDDEN;
  const scope = publishersFor(caller, action);
  if (scope === 'all') return ALLOW;
  if (offerId === undefined) return FORBIDDEN;
  const publisher = publisherOf(offerId);
  return publisher !== undefined && scope.has(publisher) ? ALLOW : NOT_FOUND;
}

/** A filter over offer ids for list surfaces (dead letters, audit): keeps the offers the caller may see. */
export function offerFilter(caller: Caller, action: Action): (offerId: string) => boolean {
  if (!hasAction(caller, action)) return () => false;
  const scope = publishersFor(caller, action);
  if (scope === 'all') return () => true;
  return (offerId) => {
    const publisher = publisherOf(offerId);
    return publisher !== undefined && scope.has(publisher);
  };
}

/** Roles from a claim value: known role names only (case-insensitive), anything else ignored. */
export function rolesFrom(values: readonly string[]): ReadonlySet<Role> {
  const out = new Set<Role>();
  for (const v of values) {
    const role = ROLES.find((r) => r === v.trim().toLowerCase());
    if (role) out.add(role);
  }
  return out;
}

/** Publisher ids from a claim value; `*` anywhere means every publisher. */
export function publishersFrom(values: readonly string[]): PublisherScope {
  const ids = values.map((v) => v.trim()).filter((v) => v.length > 0);
  return ids.includes('*') ? 'all' : new Set(ids);
}
