import { createHash, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatorApp } from '../server';
import { issueAccessToken, issueIdToken } from './access-token';
import { DYNAMICS_CRM_APP_ID, DYNAMICS_SCENARIOS as S } from './scenarios';

/**
 * Entra ID (Microsoft identity platform v2.0) as msal-node meets it: the per-tenant OpenID configuration, the
 * token endpoint (client credentials and resource-owner password grants) and instance discovery. Errors carry
 * the service's body shape: `error`, `error_description` ("AADSTS<n>: …" then Trace ID / Correlation ID /
 * Timestamp lines), `error_codes`, `timestamp`, `trace_id`, `correlation_id`, `error_uri`
 * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
const TOKEN_LIFETIME_S = 3599;

export interface TokenRequestRecord {
  readonly grant: string;
  readonly tenant: string;
  readonly clientId: string;
  readonly username?: string;
  readonly scope: string;
  readonly status: number;
  readonly errorCode?: number;
}

interface EntraAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

type TenantCheck = { ok: true; tenantId: string } | { ok: false; answer: EntraAnswer };

/** "2016-01-09 02:02:12Z", Entra's timestamp format. */
const entraTimestamp = (d = new Date()) => `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;

function aadError(status: number, error: string, code: number, text: string, correlationId: string): EntraAnswer {
  const traceId = randomUUID();
  const timestamp = entraTimestamp();
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

function isDnsName(value: string): boolean {
  const labels = value.split('.');
  return (
    labels.length >= 2 &&
    labels.every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(l)) &&
    /^[a-z]{2,}$/i.test(labels[labels.length - 1] ?? '')
  );
}

/** A domain-named tenant resolves to a stable GUID, as Entra resolves verified domains. */
function tenantGuidOf(domain: string): string {
  const h = createHash('sha1').update(domain.toLowerCase()).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Entra refuses an unknown or malformed tenant wherever the tenant is named: on the OpenID configuration request
 * (error `invalid_tenant`) and on the token endpoint (`invalid_request`).
 */
function checkTenant(tenant: string, correlationId: string, error: string): TenantCheck {
  if (tenant.toLowerCase() === S.tenant.notFound) {
    return {
      ok: false,
      answer: aadError(
        400,
        error,
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
        correlationId,
      ),
    };
  }
  if (GUID.test(tenant)) return { ok: true, tenantId: tenant.toLowerCase() };
  if (MULTI_TENANT.has(tenant.toLowerCase())) return { ok: true, tenantId: tenant.toLowerCase() };
  if (isDnsName(tenant)) return { ok: true, tenantId: tenantGuidOf(tenant) };
  return {
    ok: false,
    answer: aadError(
      400,
      'invalid_request',
      900023,
      `Specified tenant identifier '${tenant}' is neither a valid DNS name, nor a valid external domain.`,
      correlationId,
    ),
  };
}

function openIdConfiguration(base: string, tenant: string, tenantId: string): Record<string, unknown> {
  const multi = MULTI_TENANT.has(tenantId);
  const inPath = multi ? tenant : tenantId;
  const issuerTenant = multi ? '{tenantid}' : tenantId;
  return {
    token_endpoint: `${base}/${inPath}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/${inPath}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/${issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    authorization_endpoint: `${base}/${inPath}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/${inPath}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/${inPath}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name'],
    tenant_region_scope: 'NA',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export interface EntraState {
  readonly tokenRequests: {
    readonly total: number;
    /** Token requests per client id (the public client's id for the password grant). */
    readonly byClient: Record<string, number>;
    /** Password-grant token requests per user name. */
    readonly byUser: Record<string, number>;
  };
  readonly openIdConfigurationRequests: number;
  readonly instanceDiscoveryRequests: number;
  readonly requests: readonly TokenRequestRecord[];
}

/** The Entra ID simulator (`ENTRA`, default port 9441): use its base URL as the destination's `authorityHost`. */
export function createEntraSimulator(): SimulatorApp {
  let requests: TokenRequestRecord[] = [];
  let openId = 0;
  let discovery = 0;

  const base = (req: FastifyRequest) => `https://${req.headers.host ?? '127.0.0.1'}`;
  const correlation = (req: FastifyRequest) => str(req.headers['client-request-id']) || randomUUID();
  const send = (reply: FastifyReply, a: EntraAnswer) =>
    reply.code(a.status).header('cache-control', 'no-store, no-cache').send(a.body);

  function clientCredentials(
    form: Record<string, unknown>,
    tenant: string,
    tenantId: string,
    cid: string,
    req: FastifyRequest,
  ): EntraAnswer {
    const clientId = str(form['client_id']);
    const secret = str(form['client_secret']);
    const scope = str(form['scope']);
    if (!clientId)
      return aadError(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'client_id'.",
        cid,
      );
    if (clientId.toLowerCase() === S.client.notFound)
      return aadError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
        cid,
      );
    if (!secret)
      return aadError(
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        cid,
      );
    if (secret === S.secret.invalid)
      return aadError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
        cid,
      );
    if (secret === S.secret.expired)
      return aadError(
        401,
        'invalid_client',
        7000222,
        `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
        cid,
      );
    const resources = scope.split(' ').filter((s) => s && !OIDC_SCOPES.has(s));
    const resource = resources[0];
    if (resources.length !== 1 || !resource?.endsWith('/.default'))
      return aadError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
        cid,
      );
    const { token } = issueAccessToken(
      { aud: resource.slice(0, -'/.default'.length), iss: `${base(req)}/${tenantId}/`, tid: tenantId, appid: clientId },
      TOKEN_LIFETIME_S,
    );
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: TOKEN_LIFETIME_S,
        ext_expires_in: TOKEN_LIFETIME_S,
        access_token: token,
      },
    };
  }

  function password(form: Record<string, unknown>, tenant: string, cid: string, req: FastifyRequest): EntraAnswer {
    const clientId = str(form['client_id']);
    const username = str(form['username']);
    const pwd = str(form['password']);
    const scope = str(form['scope']);
    if (!username || !pwd)
      return aadError(
        400,
        'invalid_request',
        900144,
        `The request body must contain the following parameter: '${username ? 'password' : 'username'}'.`,
        cid,
      );
    const user = username.toLowerCase();
    const domain = user.slice(user.lastIndexOf('@') + 1);
    if (user === S.user.notFound)
      return aadError(
        400,
        'invalid_grant',
        50034,
        `The user account ${username} does not exist in the ${domain} directory. To sign into this application, the account must be added to the directory.`,
        cid,
      );
    if (pwd === S.password.wrong)
      return aadError(
        400,
        'invalid_grant',
        50126,
        'Error validating credentials due to invalid username or password.',
        cid,
      );
    if (user === S.user.mfa)
      return aadError(
        400,
        'invalid_grant',
        50076,
        `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${DYNAMICS_CRM_APP_ID}'.`,
        cid,
      );
    if (user === S.user.mfaEnroll)
      return aadError(
        400,
        'interaction_required',
        50079,
        `Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access '${DYNAMICS_CRM_APP_ID}'.`,
        cid,
      );
    const resources = scope.split(' ').filter((s) => s && !OIDC_SCOPES.has(s));
    const resource = resources[0];
    if (!resource)
      return aadError(
        400,
        'invalid_scope',
        70011,
        `The provided value for the input parameter 'scope' is not valid.`,
        cid,
      );
    const tenantId = tenantGuidOf(domain);
    const oid = tenantGuidOf(`${user}.user`);
    const now = Math.floor(Date.now() / 1000);
    const { token } = issueAccessToken(
      {
        aud: resource.replace(/\/(\.default|user_impersonation)$/, ''),
        iss: `${base(req)}/${tenantId}/`,
        tid: tenantId,
        appid: clientId,
        upn: username,
      },
      TOKEN_LIFETIME_S,
      now,
    );
    const idToken = issueIdToken({
      aud: clientId,
      iss: `${base(req)}/${tenantId}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + TOKEN_LIFETIME_S,
      oid,
      sub: oid,
      tid: tenantId,
      preferred_username: username,
      name: username,
      ver: '2.0',
    });
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        scope: resource,
        expires_in: TOKEN_LIFETIME_S,
        ext_expires_in: TOKEN_LIFETIME_S,
        access_token: token,
        refresh_token: `sim-refresh.${randomUUID()}`,
        id_token: idToken,
        client_info: Buffer.from(JSON.stringify({ uid: oid, utid: tenantId })).toString('base64url'),
      },
    };
  }

  return {
    name: 'entra',
    register(app) {
      app.get('/common/discovery/instance', async (req) => {
        discovery++;
        const host = req.headers.host ?? '127.0.0.1';
        const authorize = new URL(str((req.query as Record<string, unknown>)['authorization_endpoint']) || base(req));
        const tenant = authorize.pathname.split('/').filter(Boolean)[0] ?? 'common';
        return {
          tenant_discovery_endpoint: `${base(req)}/${tenant}/v2.0/.well-known/openid-configuration`,
          'api-version': '1.1',
          metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
        };
      });

      app.get<{ Params: { tenant: string } }>('/:tenant/v2.0/.well-known/openid-configuration', async (req, reply) => {
        openId++;
        const t = checkTenant(req.params.tenant, correlation(req), 'invalid_tenant');
        if (!t.ok) return send(reply, t.answer);
        return reply.send(openIdConfiguration(base(req), req.params.tenant, t.tenantId));
      });

      app.post<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/token', async (req, reply) => {
        const form = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
        const cid = correlation(req);
        const grant = str(form['grant_type']);
        const tenant = req.params.tenant;
        const t = checkTenant(tenant, cid, 'invalid_request');
        let answer: EntraAnswer;
        if (!t.ok) answer = t.answer;
        else if (grant === 'client_credentials') answer = clientCredentials(form, tenant, t.tenantId, cid, req);
        else if (grant === 'password') answer = password(form, tenant, cid, req);
        else
          answer = aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.', cid);
        const codes = answer.body['error_codes'];
        requests.push({
          grant,
          tenant,
          clientId: str(form['client_id']),
          ...(grant === 'password' ? { username: str(form['username']) } : {}),
          scope: str(form['scope']),
          status: answer.status,
          ...(Array.isArray(codes) && typeof codes[0] === 'number' ? { errorCode: codes[0] } : {}),
        });
        return send(reply, answer);
      });
    },
    state(): EntraState {
      const byClient: Record<string, number> = {};
      const byUser: Record<string, number> = {};
      for (const r of requests) {
        byClient[r.clientId] = (byClient[r.clientId] ?? 0) + 1;
        if (r.username !== undefined) byUser[r.username] = (byUser[r.username] ?? 0) + 1;
      }
      return {
        tokenRequests: { total: requests.length, byClient, byUser },
        openIdConfigurationRequests: openId,
        instanceDiscoveryRequests: discovery,
        requests,
      };
    },
    reset() {
      requests = [];
      openId = 0;
      discovery = 0;
    },
  };
}
