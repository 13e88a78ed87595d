import { randomUUID } from 'node:crypto';
import type { DestinationOf } from '@leadflow/lead-model';
import {
  createEntraSimulator,
  DYNAMICS_SCENARIOS as S,
  startSimulator,
  type EntraState,
  type StartedSimulator,
} from '@leadflow/simulators';
import { testTls } from '@leadflow/testing';
import { AuthorityUnavailable, Interrupted } from './dynamics-failures';
import { EntraTokenProvider } from './entra-token.provider';

describe('EntraTokenProvider (real msal-node, Entra ID simulator)', () => {
  let entra: StartedSimulator;
  beforeAll(async () => {
    entra = await startSimulator(createEntraSimulator(), testTls(), { host: '127.0.0.1', port: 0 });
  });
  afterAll(() => entra.close());

  const signIns = async (tenant: string) =>
    ((await (await fetch(`${entra.url}/_state`)).json()) as EntraState).requests.filter((r) => r.tenant === tenant)
      .length;
  const destination = (tenantId: string): DestinationOf<'dynamics'> => ({
    type: 'dynamics',
    url: 'https://contoso.crm4.dynamics.com/',
    authorityHost: entra.url,
    auth: { kind: 'aad', tenantId, clientId: S.client.ok, clientSecret: S.secret.ok },
  });
  const signal = () => new AbortController().signal;

  it('signs in once for many concurrent callers, reuses the token, and renews it five minutes before expiry', async () => {
    let now = Date.now();
    const tokens = new EntraTokenProvider({
      publicClientId: randomUUID(),
      timeoutMs: 5_000,
      maxClients: 10,
      now: () => now,
    });
    const tenant = randomUUID();
    const d = destination(tenant);
    const first = await Promise.all(Array.from({ length: 50 }, () => tokens.token(d, signal())));
    expect(new Set(first).size).toBe(1);
    expect(await signIns(tenant)).toBe(1);

    now += 54 * 60_000; // the simulator's tokens live 3,599 s
    expect(await tokens.token(d, signal())).toBe(first[0]);
    now += 2 * 60_000;
    const renewed = await tokens.token(d, signal());
    expect(renewed).not.toBe(first[0]);
    expect(await signIns(tenant)).toBe(2);
  });

  it('drops a refused token once, however many callers report it', async () => {
    const tokens = new EntraTokenProvider({ publicClientId: randomUUID(), timeoutMs: 5_000, maxClients: 10 });
    const tenant = randomUUID();
    const d = destination(tenant);
    const refused = await tokens.token(d, signal());
    for (let i = 0; i < 5; i++) tokens.invalidate(d, refused);
    const fresh = await Promise.all(Array.from({ length: 5 }, () => tokens.token(d, signal())));
    // Late reports of the old token do not throw the fresh one away.
    tokens.invalidate(d, refused);
    expect(await tokens.token(d, signal())).toBe(fresh[0]);
    expect(new Set([...fresh, refused]).size).toBe(2);
    expect(await signIns(tenant)).toBe(2);
  });

  it("ends a caller's wait with its own signal: a timeout is an unavailable authority, a stop hands the lead back", async () => {
    const tokens = new EntraTokenProvider({ publicClientId: randomUUID(), timeoutMs: 5_000, maxClients: 10 });
    const timedOut = AbortSignal.abort(new DOMException('timed out', 'TimeoutError'));
    await expect(tokens.token(destination(randomUUID()), timedOut)).rejects.toBeInstanceOf(AuthorityUnavailable);
    const stopping = new AbortController();
    stopping.abort();
    await expect(tokens.token(destination(randomUUID()), stopping.signal)).rejects.toBeInstanceOf(Interrupted);
  });
});
