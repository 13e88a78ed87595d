import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { tokenDigest } from '@leadflow/access';
import type { StackConfig } from './stack.config';

/**
 * Identity in the local stack: the simulators' OIDC issuer signs the tokens that the demo, leadctl and anyone
 * following the README use; ingest verifies them against the issuer's JWKS. The static tokens of earlier versions
 * keep working for scripts, configured as digests (never the token) with a role and a publisher set.
 */

/** The issuer URL, as ingest expects it in `iss` and as clients must call it (the issuer names itself by Host). */
export const localIssuer = (cfg: StackConfig): string => `https://${cfg.host}:${cfg.simulatorPorts['OIDC'] ?? 9445}`;

/** The API's audience in the local stack (an App ID URI, as an Entra app registration would have). */
export const LOCAL_API_AUDIENCE = 'api://leadflow';

/** Static tokens of the local stack (development only), by role; each configured in ingest as a digest. */
export const DEV_STATIC_TOKENS = [
  { id: 'dev-producer', token: 'dev-ingest-token', roles: ['producer'], publishers: [] },
  { id: 'dev-operator', token: 'dev-admin-token', roles: ['operator'], publishers: [] },
  { id: 'dev-contoso', token: 'dev-contoso-token', roles: ['publisher'], publishers: ['contoso'] },
  { id: 'dev-analyst', token: 'dev-analyst-token', roles: ['analyst'], publishers: ['*'] },
] as const;

/** Ingest's identity settings in the local stack: the issuer's signed tokens, and the static tokens as digests. */
export function ingestIdentityEnv(cfg: StackConfig): Record<string, string> {
  const issuer = localIssuer(cfg);
  return {
    LEADFLOW_OIDC_ISSUER: issuer,
    LEADFLOW_OIDC_AUDIENCE: LOCAL_API_AUDIENCE,
    LEADFLOW_OIDC_JWKS_URL: `${issuer}/discovery/v2.0/keys`,
    LEADFLOW_STATIC_TOKENS: JSON.stringify(
      DEV_STATIC_TOKENS.map(({ id, token, roles, publishers }) => ({
        id,
        sha256: tokenDigest(token),
        roles,
        publishers,
      })),
    ),
    // The plain-text lists of the shared environment are not used by ingest here: digests only at rest.
    LEADFLOW_INGEST_TOKENS: '',
    LEADFLOW_ADMIN_TOKENS: '',
  };
}

/** The client-credentials settings leadctl reads (LEADFLOW_OIDC_TOKEN_URL, LEADFLOW_CLIENT_ID/SECRET). */
export function leadctlIdentityEnv(cfg: StackConfig, clientId: string, secret: string): Record<string, string> {
  return {
    LEADFLOW_OIDC_TOKEN_URL: `${localIssuer(cfg)}/oauth2/v2.0/token`,
    LEADFLOW_OIDC_SCOPE: `${LOCAL_API_AUDIENCE}/.default`,
    LEADFLOW_CLIENT_ID: clientId,
    LEADFLOW_CLIENT_SECRET: secret,
  };
}

/** A signed access token for one of the local issuer's clients (client credentials grant). */
export async function localAccessToken(cfg: StackConfig, clientId: string, secret: string): Promise<string> {
  const dispatcher = new Agent({
    connect: { ca: readFileSync(join(cfg.localDir, 'simulators', 'tls', 'ca.pem'), 'utf8') },
  });
  const res = await undiciFetch(`${localIssuer(cfg)}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
      scope: `${LOCAL_API_AUDIENCE}/.default`,
    }).toString(),
    dispatcher,
  });
  if (res.status !== 200)
    throw new Error(`the local OIDC issuer refused ${clientId}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}
