import { JwtVerifier, looksLikeJwt, StaticTokens, type Caller, type JwtRejection } from '@leadflow/access';

/** The outcome of checking a bearer token: a caller, a refusal (401), or "cannot tell now" (503). */
export type Authentication =
  | { readonly ok: true; readonly caller: Caller }
  | { readonly ok: false; readonly status: 401; readonly reason: JwtRejection | 'unknown-token' }
  | { readonly ok: false; readonly status: 503; readonly reason: 'keys-unavailable' };

/**
 * Who a bearer token speaks for. Static tokens (digests in the configuration) are tried first, in constant time;
 * a token shaped like a JWT then goes to the issuer's keys when an issuer is configured. Nothing about the token
 * itself is ever returned, logged or echoed: refusals carry a reason code only.
 */
export class Authenticator {
  constructor(
    private readonly staticTokens: StaticTokens,
    private readonly jwt?: JwtVerifier,
  ) {}

  async authenticate(token: string): Promise<Authentication> {
    const known = this.staticTokens.identify(token);
    if (known) return { ok: true, caller: known };
    if (!this.jwt || !looksLikeJwt(token)) return { ok: false, status: 401, reason: 'unknown-token' };
    const result = await this.jwt.verify(token);
    if (result.ok) return { ok: true, caller: result.caller };
    if (result.reason === 'keys-unavailable') return { ok: false, status: 503, reason: result.reason };
    return { ok: false, status: 401, reason: result.reason };
  }
}
