import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { publishersFrom, rolesFrom, type Caller } from './decide';

/** Asymmetric algorithms only: with a JWKS configured, an HMAC `alg` is the RS256→HS256 key-confusion attack. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type JwtAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

export interface JwtSettings {
  /** Expected `iss`, exactly (Entra v2.0: `https://login.microsoftonline.com/<tenant id>/v2.0`). */
  readonly issuer: string;
  /** Accepted `aud` values (Entra v2.0: the API's client id; v1.0: its App ID URI). */
  readonly audience: readonly string[];
  /** The issuer's JWKS (`jwks_uri` of its OpenID configuration). */
  readonly jwksUrl: string;
  /** Allowed `alg` values, asymmetric only. */
  readonly algorithms: readonly JwtAlgorithm[];
  /** Seconds of clock skew tolerated on `exp` and `nbf`. */
  readonly clockToleranceS: number;
  /** Claim holding the role names (Entra app roles: `roles`). */
  readonly rolesClaim: string;
  /** Claim holding the publisher ids the caller acts for (an array or a space/comma-separated string). */
  readonly publishersClaim: string;
  /** No forced JWKS refetch (for an unknown `kid`) within this many ms of the last one. */
  readonly jwksCooldownMs: number;
  /** Keys are refetched once older than this. */
  readonly jwksMaxAgeMs: number;
  /** JWKS fetch timeout. */
  readonly jwksTimeoutMs?: number;
}

/** Why a token was refused: a stable code for logs and metrics (never the token or its claims). */
export type JwtRejection = 'malformed' | 'algorithm' | 'signature' | 'unknown-key' | 'expired' | 'claims' | 'no-role';

export type JwtResult =
  | { readonly ok: true; readonly caller: Caller }
  | { readonly ok: false; readonly reason: JwtRejection }
  /** The keys could not be fetched: the token was not judged (answer 503, not 401). */
  | { readonly ok: false; readonly reason: 'keys-unavailable' };

/** Three base64url segments: what a compact JWS looks like (static tokens never do, by their documented alphabet). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(token);
}

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((v) => v.length > 0);
  return [];
}

/** Who the token speaks for: Entra's advice is tenant + object id; other issuers' `sub`. */
function subjectOf(payload: JWTPayload): string {
  const tid = typeof payload['tid'] === 'string' ? payload['tid'] : undefined;
  const oid = typeof payload['oid'] === 'string' ? payload['oid'] : undefined;
  if (tid && oid) return `${tid}/${oid}`;
  return `sub:${payload.sub ?? 'unknown'}`;
}

/**
 * Verifies bearer JWTs against the issuer's JWKS with jose. Keys are cached; a token with an unknown `kid` makes
 * jose refetch the set once, at most once per cooldown (Entra's guidance: at most every 5 minutes), so a flood of
 * forged `kid`s cannot turn into a flood of fetches. `exp` is required; `iss`, `aud`, `nbf` checked with the skew.
 */
export class JwtVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly settings: JwtSettings) {
    this.keys = createRemoteJWKSet(new URL(settings.jwksUrl), {
      cooldownDuration: settings.jwksCooldownMs,
      cacheMaxAge: settings.jwksMaxAgeMs,
      timeoutDuration: settings.jwksTimeoutMs ?? 5_000,
    });
  }

  async verify(token: string): Promise<JwtResult> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.settings.issuer,
        audience: [...this.settings.audience],
        algorithms: [...this.settings.algorithms],
        clockTolerance: this.settings.clockToleranceS,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      return { ok: false, reason: rejection(err) };
    }
    const roles = rolesFrom(stringList(payload[this.settings.rolesClaim]));
    if (roles.size === 0) return { ok: false, reason: 'no-role' };
    return {
      ok: true,
      caller: {
        subject: subjectOf(payload),
        roles,
        publishers: publishersFrom(stringList(payload[this.settings.publishersClaim])),
      },
    };
  }
}

function rejection(err: unknown): JwtRejection | 'keys-unavailable' {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed) return 'claims';
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return 'algorithm';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'signature';
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return 'unknown-key';
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return 'keys-unavailable';
  if (err instanceof errors.JOSEError) return 'malformed';
  // A fetch that failed (issuer down, TLS, non-200 answer) surfaces as a plain error or TypeError.
  return 'keys-unavailable';
}
