import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Access tokens the simulated Entra ID issues and the simulated Dataverse accepts. Both simulators run in one
 * process (the stack's simulators component, a test), so one key made at start signs and verifies them.
 * They are JWTs with Entra's v1 claim names (`aud`, `tid`, `appid`, `upn`), as Dataverse receives them.
 */
const KEY = randomBytes(32);

export interface AccessTokenClaims {
  /** The resource: the instance URL the token is for (`scope` without `/.default`). */
  readonly aud: string;
  readonly iss: string;
  readonly tid: string;
  readonly appid: string;
  readonly upn?: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly jti: string;
}

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

export function issueAccessToken(
  c: Omit<AccessTokenClaims, 'iat' | 'nbf' | 'exp' | 'jti'>,
  lifetimeS: number,
  nowS = Math.floor(Date.now() / 1000),
): { token: string; claims: AccessTokenClaims } {
  const claims: AccessTokenClaims = { ...c, iat: nowS, nbf: nowS, exp: nowS + lifetimeS, jti: randomUUID() };
  const head = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }))}.${b64url(JSON.stringify(claims))}`;
  return { token: `${head}.${createHmac('sha256', KEY).update(head).digest('base64url')}`, claims };
}

/** The claims of a token this process issued and that has not expired; undefined otherwise. */
export function verifyAccessToken(token: string, nowS = Math.floor(Date.now() / 1000)): AccessTokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  const expected = createHmac('sha256', KEY).update(`${h}.${p}`).digest();
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as AccessTokenClaims;
    return claims.exp > nowS && claims.nbf <= nowS + 300 ? claims : undefined;
  } catch {
    return undefined;
  }
}

/** An unsigned-looking id token for the password flow (msal-node reads its claims, it does not verify it). */
export function issueIdToken(claims: Record<string, unknown>): string {
  return `${b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: 'sim' }))}.${b64url(JSON.stringify(claims))}.${b64url(randomBytes(32))}`;
}
