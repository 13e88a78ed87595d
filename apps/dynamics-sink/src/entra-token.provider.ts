import { createHash } from 'node:crypto';
import {
  ConfidentialClientApplication,
  PublicClientApplication,
  type AuthenticationResult,
  type INetworkModule,
} from '@azure/msal-node';
import { DESTINATION_DEFAULTS, type DestinationOf } from '@leadflow/lead-model';
import { BoundedCache } from '@leadflow/sink-runtime';
import { AuthorityUnavailable, Interrupted } from './dynamics-failures';
import { fromMsalError, isEndpointResolutionError, readOpenIdConfigurationError } from './entra-answer';
import { TimeoutNetworkClient } from './msal-network';
import { scrubber, type Scrub } from './scrub';

type DynamicsDestination = DestinationOf<'dynamics'>;

export interface EntraTokenProviderOptions {
  /** The public client (app registration) of the Microsoft 365 password flow. */
  readonly publicClientId: string;
  /** One request to Entra ID gives up after this long. */
  readonly timeoutMs: number;
  /** Sign-in clients (and token slots) kept; the least recently used beyond are dropped. */
  readonly maxClients: number;
  readonly now?: () => number;
  readonly networkClient?: INetworkModule;
}

/** A token is renewed this long before it expires (msal-node's own refresh offset is 5 minutes too). */
const RENEW_BEFORE_MS = 5 * 60_000;

interface Slot {
  token?: { readonly value: string; readonly renewAt: number };
  pending?: Promise<string>;
}

type App = ConfidentialClientApplication | PublicClientApplication;

/** `https://org.crm.dynamics.com/` → `https://org.crm.dynamics.com`. */
export const instanceBase = (url: string) => url.replace(/\/+$/, '');
const authorityHostOf = (d: DynamicsDestination) =>
  (d.authorityHost ?? DESTINATION_DEFAULTS.authorityHost).replace(/\/+$/, '');
/** The password flow signs in through `organizations`: Entra finds the user's home tenant from the user name. */
const tenantOf = (d: DynamicsDestination) => (d.auth.kind === 'aad' ? d.auth.tenantId : 'organizations');
const sha256 = (parts: readonly string[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

/**
 * Access tokens for Dataverse from Entra ID through msal-node: one client per sign-in (tenant + client id +
 * a hash of the secret, or user + a hash of the password), one token per client and instance, reused until
 * five minutes before it expires, and one sign-in at a time per token however many leads wait for it.
 */
export class EntraTokenProvider {
  private readonly apps: BoundedCache<App>;
  private readonly slots: BoundedCache<Slot>;
  private readonly now: () => number;
  private readonly network: INetworkModule;

  constructor(private readonly o: EntraTokenProviderOptions) {
    this.now = o.now ?? Date.now;
    // A client not used for a day is made again when its offer comes back.
    const bounds = { maxEntries: o.maxClients, maxAgeMs: 24 * 3_600_000, now: this.now };
    this.apps = new BoundedCache(bounds);
    this.slots = new BoundedCache(bounds);
    this.network = o.networkClient ?? new TimeoutNetworkClient(o.timeoutMs);
  }

  /** A valid access token for the destination's instance; waits for at most the delivery's signal. */
  async token(d: DynamicsDestination, signal: AbortSignal): Promise<string> {
    const slot = this.slots.getOrLoad(this.slotKey(d), () => ({}));
    if (slot.token && this.now() < slot.token.renewAt) return slot.token.value;
    if (signal.aborted) return untilAborted(Promise.resolve(''), signal);
    if (!slot.pending) {
      const pending = this.signIn(d, slot).finally(() => {
        if (slot.pending === pending) slot.pending = undefined;
      });
      // Every waiter gets the outcome; a sign-in whose waiters all gave up must not be an unhandled rejection.
      pending.catch(() => undefined);
      slot.pending = pending;
    }
    return untilAborted(slot.pending, signal);
  }

  /** Dataverse refused `token`: forget it, so the next call signs in again (once, however many leads saw it). */
  invalidate(d: DynamicsDestination, token: string): void {
    const slot = this.slots.get(this.slotKey(d));
    if (slot?.token?.value !== token) return;
    slot.token = undefined;
  }

  private async signIn(d: DynamicsDestination, slot: Slot): Promise<string> {
    const scrub = scrubber(d.auth.kind === 'aad' ? [d.auth.clientSecret] : [d.auth.password, d.auth.username]);
    const scopes = [`${instanceBase(d.url)}/.default`];
    let result: AuthenticationResult | null;
    try {
      const app = this.app(d);
      result =
        d.auth.kind === 'aad'
          ? await (app as ConfidentialClientApplication).acquireTokenByClientCredential({
              scopes,
              // The slot is the cache (with its own renewal time and single flight): when it asks, it needs a
              // new token, not msal's copy of the one just refused or about to expire.
              skipCache: true,
            })
          : await (app as PublicClientApplication).acquireTokenByUsernamePassword({
              scopes,
              username: d.auth.username,
              password: d.auth.password,
            });
    } catch (err) {
      throw await this.explain(err, d, scrub);
    }
    if (!result?.accessToken) throw new AuthorityUnavailable('Entra ID answered without an access token');
    const now = this.now();
    const lifetime = (result.expiresOn?.getTime() ?? now + 3_600_000) - now;
    slot.token = { value: result.accessToken, renewAt: now + Math.max(lifetime - RENEW_BEFORE_MS, lifetime / 2) };
    return result.accessToken;
  }

  private async explain(err: unknown, d: DynamicsDestination, scrub: Scrub): Promise<unknown> {
    if (isEndpointResolutionError(err))
      return readOpenIdConfigurationError(authorityHostOf(d), tenantOf(d), this.o.timeoutMs, scrub);
    return fromMsalError(err, scrub);
  }

  private app(d: DynamicsDestination): App {
    const host = authorityHostOf(d);
    const authority = `${host}/${tenantOf(d)}`;
    // Listing the host as a known authority makes msal-node trust it without asking the public cloud's instance
    // discovery endpoint, which sovereign clouds and the local simulator cannot reach (msal-node configuration,
    // `knownAuthorities`). The public cloud's hosts are resolved from msal's built-in metadata either way.
    const common = { authority, knownAuthorities: [host] };
    const system = { networkClient: this.network };
    if (d.auth.kind === 'aad') {
      const { tenantId, clientId, clientSecret } = d.auth;
      return this.apps.getOrLoad(
        sha256(['aad', host, tenantId, clientId, clientSecret]),
        () => new ConfidentialClientApplication({ auth: { ...common, clientId, clientSecret }, system }),
      );
    }
    const { username, password } = d.auth;
    return this.apps.getOrLoad(
      sha256(['office365', host, username, password]),
      () => new PublicClientApplication({ auth: { ...common, clientId: this.o.publicClientId }, system }),
    );
  }

  private slotKey(d: DynamicsDestination): string {
    const who =
      d.auth.kind === 'aad'
        ? ['aad', d.auth.tenantId, d.auth.clientId, d.auth.clientSecret]
        : ['office365', d.auth.username, d.auth.password];
    return sha256([...who, authorityHostOf(d), instanceBase(d.url)]);
  }
}

/** The shared sign-in, or the delivery's own end: its timeout (the authority is slow) or the sink stopping. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  const failure = () =>
    (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError'
      ? new AuthorityUnavailable('Entra ID did not answer within the delivery attempt timeout')
      : new Interrupted('the sink is stopping');
  if (signal.aborted) return Promise.reject(failure());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(failure());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
