import { createHash, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatorApp } from '../server';
import { verifyAccessToken, type AccessTokenClaims } from './access-token';
import { DYNAMICS_SCENARIOS as S } from './scenarios';

/**
 * Dataverse Web API lead create, as the real service answers it: 204 with `OData-EntityId` (201 with the record
 * for `Prefer: return=representation`), errors as `{"error":{"code":"0x…","message":…}}` with the status of
 * "Compose HTTP requests and handle errors" (403 for privileges, 412 for a duplicate key, 429 with
 * `Retry-After` for service protection limits), 401 with an empty body and `WWW-Authenticate` when the token is
 * refused (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/compose-http-requests-handle-errors).
 * The instance path of the URL selects a scenario (DYNAMICS_SCENARIOS.instance); any other path is a working
 * instance.
 */

const LEADS_PATH = /^\/?(.*?)\/?api\/data\/v9\.\d\/(leads(?:\(([0-9a-fA-F-]{36})\))?)$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Lead columns accepted on create, with the string columns' maximum lengths (lead table reference). */
const LEAD_COLUMNS: Readonly<Record<string, number | 'guid' | 'int'>> = {
  leadid: 'guid',
  subject: 300,
  firstname: 50,
  lastname: 50,
  emailaddress1: 100,
  telephone1: 50,
  mobilephone: 20,
  companyname: 100,
  jobtitle: 100,
  address1_country: 80,
  description: 2000,
  leadsourcecode: 'int',
};

export interface DataverseLeadRecord {
  readonly instance: string;
  readonly leadid: string;
  readonly createdOn: string;
  /** Who created it: the application id (client credentials) or the user (password flow). */
  readonly createdBy: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface DataverseState {
  readonly leads: readonly DataverseLeadRecord[];
  /** Requests per instance path and answer status. */
  readonly requests: Record<string, Record<string, number>>;
}

export interface DataverseSimulatorOptions {
  /** Every answer waits this long (benchmarks: a CRM answers in hundreds of milliseconds). */
  readonly latencyMs?: number;
}

const dvError = (code: string, message: string) => ({ error: { code, message } });

/** The Dataverse simulator (`DATAVERSE`, default port 9442): destination URL `https://<host:port>/<instance path>`. */
export function createDataverseSimulator(opts: DataverseSimulatorOptions = {}): SimulatorApp {
  const latencyMs = opts.latencyMs ?? 0;
  let leads = new Map<string, DataverseLeadRecord>();
  let requests: Record<string, Record<string, number>> = {};
  let revoked = new Set<string>();
  let revokedOnce = false;
  let throttled = new Set<string>();

  const count = (instance: string, status: number) => {
    const r = (requests[instance] ??= {});
    r[String(status)] = (r[String(status)] ?? 0) + 1;
  };
  const answer = (reply: FastifyReply, instance: string, status: number, body?: unknown) => {
    count(instance, status);
    reply.code(status).header('odata-version', '4.0');
    if (body === undefined) return reply.send();
    return reply.header('content-type', 'application/json; odata.metadata=minimal').send(JSON.stringify(body));
  };

  /** The token's claims when Dataverse accepts it for this instance; the 401 is sent otherwise. */
  function authorize(req: FastifyRequest, reply: FastifyReply, instance: string, url: string) {
    const auth = req.headers.authorization ?? '';
    const claims = /^Bearer\s+(\S+)$/i.test(auth) ? verifyAccessToken(auth.replace(/^Bearer\s+/i, '')) : undefined;
    const audOk = claims !== undefined && sameInstance(claims.aud, instance);
    let ok = audOk && instance !== S.instance.tokenRefused;
    if (ok && claims && instance === S.instance.tokenRevokedOnce) {
      if (!revokedOnce) {
        revokedOnce = true;
        revoked.add(claims.jti);
      }
      ok = !revoked.has(claims.jti);
    }
    if (ok) return claims;
    const issuer = claims ? claims.iss.replace(/\/$/, '') : 'https://login.microsoftonline.com/common';
    reply.header('www-authenticate', `Bearer authorization_uri=${issuer}/oauth2/authorize, resource_id=${url}`);
    answer(reply, instance, 401);
    return undefined;
  }

  async function create(req: FastifyRequest, reply: FastifyReply, instance: string, base: string) {
    const claims = authorize(req, reply, instance, base);
    if (!claims) return reply;
    const caller = claims.upn ?? claims.appid;
    const security = securityScenario(instance, claims);
    if (security) return answer(reply, instance, 403, security);

    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return answer(reply, instance, 400, payloadError('The request body is not a JSON object.'));
    const fields = body as Record<string, unknown>;
    const invalid = validate(fields);
    if (invalid) return answer(reply, instance, 400, invalid);
    const leadid = typeof fields['leadid'] === 'string' ? fields['leadid'].toLowerCase() : randomUUID();

    if (instance === S.instance.throttled || (instance === S.instance.throttledOnce && !throttled.has(leadid))) {
      throttled.add(leadid);
      reply.header('retry-after', '1');
      return answer(
        reply,
        instance,
        429,
        dvError('0x80072322', 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.'),
      );
    }
    if (instance === S.instance.rejectRecord) {
      // A synchronous plug-in's InvalidPluginExecutionException: its text often quotes the record.
      return answer(
        reply,
        instance,
        400,
        dvError(
          '0x80040265',
          `Lead of ${String(fields['firstname'] ?? '')} ${String(fields['lastname'] ?? '')} <${String(fields['emailaddress1'] ?? '')}>, phone ${String(fields['telephone1'] ?? '')}, was rejected by plug-in Contoso.Leads.TerritoryCheck: company '${String(fields['companyname'] ?? '')}' is not in an approved sales territory.`,
        ),
      );
    }
    const key = `${instance}/${leadid}`;
    if (leads.has(key))
      return answer(reply, instance, 412, dvError('0x80040237', 'A record with matching key values already exists.'));
    const record: DataverseLeadRecord = {
      instance,
      leadid,
      createdOn: new Date().toISOString(),
      createdBy: caller,
      fields: { ...fields, leadid },
    };
    leads.set(key, record);
    const entityId = `${base}/api/data/v9.2/leads(${leadid})`;
    reply.header('odata-entityid', entityId).header('location', entityId);
    if (/return=representation/i.test(String(req.headers['prefer'] ?? '')))
      return answer(reply, instance, 201, representation(base, record));
    return answer(reply, instance, 204);
  }

  return {
    name: 'dataverse',
    register(app) {
      app.route({
        method: ['GET', 'POST'],
        url: '/*',
        handler: async (req, reply) => {
          if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
          const path = decodeURIComponent(req.url.split('?')[0] ?? '');
          const m = LEADS_PATH.exec(path);
          const instance = (m?.[1] ?? path.replace(/^\/+/, '').split('/')[0] ?? '').replace(/\/+$/, '');
          if (instance === S.instance.notDataverse) {
            count(instance, 404);
            return reply.code(404).type('text/html').send('<html><body><h1>404 - Not Found</h1></body></html>');
          }
          if (instance === S.instance.noReply) return noReply(req, reply, instance);
          if (!m) {
            const segment = path.split('/').pop() ?? '';
            return answer(
              reply,
              instance,
              404,
              dvError('0x8006088a', `Resource not found for the segment '${segment}'.`),
            );
          }
          const base = `https://${req.headers.host ?? '127.0.0.1'}${instance ? `/${instance}` : ''}`;
          if (req.method === 'POST' && m[2] === 'leads') return create(req, reply, instance, base);
          if (req.method === 'GET' && m[3]) {
            if (!authorize(req, reply, instance, base)) return reply;
            const found = leads.get(`${instance}/${m[3].toLowerCase()}`);
            return found
              ? answer(reply, instance, 200, representation(base, found))
              : answer(reply, instance, 404, dvError('0x80040217', `lead With Id = ${m[3]} Does Not Exist`));
          }
          return answer(
            reply,
            instance,
            405,
            dvError('0x80060888', 'The requested resource does not support this method.'),
          );
        },
      });
    },
    state(): DataverseState {
      return { leads: [...leads.values()], requests };
    },
    reset() {
      leads = new Map();
      requests = {};
      revoked = new Set();
      revokedOnce = false;
      throttled = new Set();
    },
  };

  function noReply(req: FastifyRequest, reply: FastifyReply, instance: string) {
    count(instance, 0);
    // Answers only when the caller has long given up (Dataverse's own limit for one operation is 2 minutes).
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        void reply.code(504).send();
        resolve();
      }, 130_000);
      req.raw.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function sameInstance(aud: string, instance: string): boolean {
  try {
    return new URL(aud).pathname.replace(/^\/+|\/+$/g, '') === instance;
  } catch {
    return false;
  }
}

/** The caller's systemuserid in the simulated organization (stable per application or user). */
function systemUserId(claims: AccessTokenClaims): string {
  const h = createHash('sha1')
    .update(claims.upn ?? claims.appid)
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function securityScenario(instance: string, claims: AccessTokenClaims): unknown {
  const user = systemUserId(claims);
  switch (instance) {
    case S.instance.privilegeDenied:
      return dvError(
        '0x80040220',
        `Principal user (Id=${user}, type=8, roleCount=1, privilegeCount=46, accessMode=4), is missing prvCreateLead privilege (Id=7b4f3d31-6e2c-4a9b-9d0c-0c6f3c0b5a11) on OTC=4 for entity 'lead'. context.Caller=${user}. Consider assigning a role with the required privilege to the user or team.`,
      );
    case S.instance.fieldPrivilegeMissing:
      return dvError(
        '0x8004F502',
        'The user does not have create permissions to a secured field. The requested operation could not be completed.',
      );
    case S.instance.noRoles:
      return dvError(
        '0x80042f09',
        `SecLib::RetrievePrivilegeForUser failed - no roles are assigned to user. Returned hr = -2147209463, User: ${user}`,
      );
    case S.instance.noLicense:
      return dvError('0x8004D24B', 'The user has not been assigned any License.');
    default:
      return undefined;
  }
}

function payloadError(inner: string) {
  return dvError(
    '0x80048d19',
    `Error identified in Payload provided by the user for Entity :'leads', For more information on this error please follow this help link https://go.microsoft.com/fwlink/?linkid=2195293  ---->  InnerException : Microsoft.OData.ODataException: ${inner}`,
  );
}

function validate(fields: Record<string, unknown>): unknown {
  for (const [name, value] of Object.entries(fields)) {
    const rule = LEAD_COLUMNS[name];
    if (rule === undefined)
      return payloadError(
        `The property '${name}' does not exist on type 'Microsoft.Dynamics.CRM.lead'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
      );
    if (value === null) continue;
    if (rule === 'guid' && !(typeof value === 'string' && GUID.test(value)))
      return payloadError(`Cannot convert the literal '${String(value)}' to the expected type 'Edm.Guid'.`);
    if (rule === 'int' && !Number.isInteger(value))
      return payloadError(`Cannot convert the literal '${String(value)}' to the expected type 'Edm.Int32'.`);
    if (typeof rule === 'number') {
      if (typeof value !== 'string')
        return payloadError(`Cannot convert the literal '${String(value)}' to the expected type 'Edm.String'.`);
      if (value.length > rule)
        return dvError(
          '0x80044331',
          `A validation error occurred. The length of the '${name}' attribute of the 'lead' entity exceeded the maximum allowed length of '${rule}'.`,
        );
    }
  }
  return undefined;
}

function representation(base: string, r: DataverseLeadRecord) {
  return {
    '@odata.context': `${base}/api/data/v9.2/$metadata#leads/$entity`,
    '@odata.etag': `W/"${Date.parse(r.createdOn)}"`,
    ...r.fields,
    createdon: r.createdOn,
  };
}
