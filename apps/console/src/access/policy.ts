import {
  decide,
  hasAction,
  JwtVerifier,
  looksLikeJwt,
  offerFilter,
  publishersFor,
  StaticTokens,
  type Action as AccessAction,
  type Caller,
  type IdentitySettings,
} from '@leadflow/access';
import type { AccessPolicy, Action, Authentication, Principal, Verdict } from './access';

/**
 * The console's actions in libs/access's terms. Reading (overview, offers, dead letters, lead histories) is
 * `offer.status`: the role grant that covers an offer's delivery and dead-letter state, held by publishers (their
 * own offers), analysts (their publishers, or all with `*`) and operators; producers hold nothing here. Revealing
 * personal data is `pii.reveal` (analysts within their publishers, operators); replaying is `deadletter.replay`
 * (the same). A publisher therefore sees its own offers' masked dead letters but never unmasks or replays them.
 */
const ACTION: Readonly<Record<Action['kind'], AccessAction>> = {
  read: 'offer.status',
  'reveal-pii': 'pii.reveal',
  replay: 'deadletter.replay',
};

/** Static tokens are named by their id (`console:<id>` in the audit trail); JWT callers by their subject. */
function nameOf(caller: Caller): string {
  return caller.subject.startsWith('static:') ? caller.subject.slice('static:'.length) : caller.subject;
}

/** libs/access's decision on one offer, or (none given) on "any offer at all" / "every offer". */
function verdict(caller: Caller, action: Action): Verdict {
  const a = ACTION[action.kind];
  if (action.kind === 'replay') {
    // A replay acts on every offer its filter selects: each must be the caller's; no offer named means all of them.
    const offers = action.offerIds ?? [];
    if (offers.length === 0) return decide(caller, a).outcome === 'allow' ? 'allow' : 'forbidden';
    let out: Verdict = 'allow';
    for (const offerId of offers) {
      const d = decide(caller, a, offerId).outcome;
      if (d === 'forbidden') return 'forbidden';
      if (d === 'not-found') out = 'not-found';
    }
    return out;
  }
  if (action.offerId !== undefined) return decide(caller, a, action.offerId).outcome;
  // Reading with no offer named: may the caller read anything at all? (Lists are then filtered with `visible`.)
  if (action.kind === 'read') return hasAction(caller, a) ? 'allow' : 'forbidden';
  // Revealing data of no known offer: only a caller allowed on every publisher's offers may; to a scoped caller
  // it is as if the lead did not exist (the empty id is no publisher's).
  return decide(caller, a, '').outcome;
}

/**
 * The console's access policy: static tokens (digests, tried first in constant time) and, with an issuer
 * configured, the issuer's signed JWTs, verified with libs/access; then libs/access's decision per action and offer.
 */
export function accessPolicy(identity: IdentitySettings): AccessPolicy {
  const staticTokens = new StaticTokens(identity.staticTokens);
  const jwt = identity.oidc ? new JwtVerifier(identity.oidc) : undefined;
  const principal = (caller: Caller): Authentication => ({ ok: true, principal: { name: nameOf(caller), caller } });
  return {
    async authenticate(token) {
      const known = staticTokens.identify(token);
      if (known) return principal(known);
      if (!jwt || !looksLikeJwt(token)) return { ok: false, status: 401 };
      const result = await jwt.verify(token);
      if (result.ok) return principal(result.caller);
      return { ok: false, status: result.reason === 'keys-unavailable' ? 503 : 401 };
    },
    may: (p: Principal, action: Action) => verdict(p.caller, action),
    visible(p) {
      if (publishersFor(p.caller, ACTION.read) === 'all') return 'all';
      const keep = offerFilter(p.caller, ACTION.read);
      // A dead letter without an offer (malformed at intake) belongs to no publisher: only the unscoped see it.
      return (offerId) => keep(offerId ?? '');
    },
  };
}
