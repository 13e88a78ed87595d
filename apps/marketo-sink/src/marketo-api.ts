import { createHash } from 'node:crypto';
import { DESTINATION_DEFAULTS, type DestinationOf } from '@leadflow/lead-model';
import { isObject, readAnswer, text as textOf, type RecordResult } from './marketo-envelope';
import { MarketoError, type MarketoEndpoint } from './marketo-errors';
import type { MarketoPacer } from './marketo-pacer';

export type MarketoDestination = DestinationOf<'marketo'>;
export type RestEndpoint = Exclude<MarketoEndpoint, 'identity'>;

const PATHS: Readonly<Record<RestEndpoint, string>> = {
  syncLeads: '/rest/v1/leads.json',
  submitForm: '/rest/v1/leads/submitForm.json',
};

/** Holding back after Marketo refused for its limits: 606 counts over 20 s; a 615 slot frees within a call. */
const HOLD_AFTER_606_MS = 20_000;
const HOLD_AFTER_615_MS = 1_000;
const IDENTITY_TIMEOUT_MS = 15_000;
/** Renew this long before Marketo's `expires_in` runs out (or at half the life of a short-lived token). */
const RENEW_BEFORE_MS = 60_000;

/** `https://<munchkinId>.mktorest.com` unless the destination names its own base (sandbox, simulator). */
export function marketoBase(d: MarketoDestination): string {
  return (d.baseUrl ?? DESTINATION_DEFAULTS.marketoBaseUrl(d.munchkinId)).replace(/\/+$/, '');
}

export interface MarketoApiDeps {
  readonly pacer: MarketoPacer;
  /** Every HTTP call made (metrics). */
  readonly onCall?: (endpoint: MarketoEndpoint, munchkinId: string) => void;
  /** Marketo refused a call for its rate (606) or concurrency (615) limit (metrics). */
  readonly onThrottle?: (code: '606' | '615', munchkinId: string) => void;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

interface CachedToken {
  readonly token: string;
  readonly renewAt: number;
}

/**
 * Marketo's REST API for one sink: access tokens by client credentials, cached per base URL, Munchkin ID, client
 * id and secret until shortly before they expire; REST calls paced per Munchkin ID; every HTTP 200 body read.
 */
export class MarketoApi {
  private readonly tokens = new Map<string, Promise<CachedToken>>();
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly deps: MarketoApiDeps) {
    this.fetch = deps.fetch ?? fetch;
    this.now = deps.now ?? Date.now;
  }

  /**
   * POSTs to a REST endpoint and returns `result[]` of a successful call. Throws a MarketoError for `success:
   * false` (after one token renewal on 601/602) or a status other than 200.
   */
  async post(
    d: MarketoDestination,
    endpoint: RestEndpoint,
    body: unknown,
    signal: AbortSignal,
  ): Promise<RecordResult[]> {
    const base = marketoBase(d);
    const payload = JSON.stringify(body);
    for (let renewed = false; ; renewed = true) {
      const { key, token, entry } = await this.token(d, base);
      const permit = await this.deps.pacer.acquire(d.munchkinId, endpoint, signal);
      let status: number;
      let text: string;
      try {
        this.deps.onCall?.(endpoint, d.munchkinId);
        const res = await this.fetch(`${base}${PATHS[endpoint]}`, {
          method: 'POST',
          // The Authorization header, not the access_token parameter, which Marketo is retiring (Authentication).
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: payload,
          signal,
        });
        status = res.status;
        text = await res.text();
      } finally {
        permit.release();
      }
      const answer = readAnswer(endpoint, status, text, this.now());
      if (answer.ok) return [...answer.result];
      const code = answer.error.level === 'response' ? answer.error.code : '';
      // "If the client receives either code, renew the token by calling the Identity endpoint" (Authentication).
      if ((code === '601' || code === '602') && !renewed) {
        this.forget(key, entry);
        continue;
      }
      this.onRefusal(d.munchkinId, code);
      throw answer.error;
    }
  }

  private onRefusal(munchkinId: string, code: string): void {
    if (code === '606' || code === '615') {
      this.deps.pacer.hold(munchkinId, code === '606' ? HOLD_AFTER_606_MS : HOLD_AFTER_615_MS);
      this.deps.onThrottle?.(code, munchkinId);
    }
    if (code === '607') this.deps.pacer.exhaust(munchkinId);
  }

  /** Drops a token Marketo refused (601/602), unless another call already replaced it. */
  private forget(key: string, entry: Promise<CachedToken>): void {
    if (this.tokens.get(key) === entry) this.tokens.delete(key);
  }

  private async token(
    d: MarketoDestination,
    base: string,
  ): Promise<{ key: string; token: string; entry: Promise<CachedToken> }> {
    const secretHash = createHash('sha256').update(d.clientSecret).digest('hex');
    const key = `${base}|${d.munchkinId}|${d.clientId}|${secretHash}`;
    let cached = this.tokens.get(key);
    if (cached) {
      const t = await cached.catch(() => undefined);
      if (t && t.renewAt > this.now()) return { key, token: t.token, entry: cached };
      if (this.tokens.get(key) === cached) this.tokens.delete(key);
    }
    cached = this.tokens.get(key);
    if (!cached) {
      cached = this.identity(d, base);
      this.tokens.set(key, cached);
      // A refused grant is not cached: a corrected secret is tried afresh (it also hashes to a new key).
      cached.catch(() => {
        if (this.tokens.get(key) === cached) this.tokens.delete(key);
      });
    }
    return { key, token: (await cached).token, entry: cached };
  }

  /** Client credentials grant; POSTed as a form so the secret stays out of URLs and access logs (Authentication). */
  private async identity(d: MarketoDestination, base: string): Promise<CachedToken> {
    this.deps.onCall?.('identity', d.munchkinId);
    const res = await this.fetch(`${base}/identity/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: d.clientId,
        client_secret: d.clientSecret,
      }).toString(),
      signal: AbortSignal.timeout(IDENTITY_TIMEOUT_MS),
    });
    const answer = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(answer);
    } catch {
      json = undefined;
    }
    const at = this.now();
    if (res.status !== 200 || !isObject(json) || typeof json['access_token'] !== 'string') {
      const error = isObject(json) ? textOf(json['error']) : '';
      throw new MarketoError('identity', 'identity', String(res.status), error, { at });
    }
    const lifeMs = Math.max(0, Number(json['expires_in']) || 0) * 1000;
    return { token: json['access_token'], renewAt: at + lifeMs - Math.min(RENEW_BEFORE_MS, lifeMs / 2) };
  }
}
