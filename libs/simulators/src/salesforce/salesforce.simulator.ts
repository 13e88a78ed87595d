import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatorApp } from '../server';
import {
  ANSWERS,
  collectionError,
  validateLead,
  WEB_TO_LEAD_FIELDS,
  type LeadFields,
  type OrgBehaviour,
} from './salesforce.org';
import { clientScenario, orgScenario, SALESFORCE_SCENARIOS } from './salesforce.scenarios';

export type SalesforceEndpoint = 'token' | 'sobject' | 'collection' | 'upsert' | 'webToLead';

/** A Lead the simulated org stored. */
export interface StoredLead {
  readonly id: string;
  /** The consumer key (API) or org id (Web-to-Lead) it arrived through. */
  readonly org: string;
  readonly via: 'sobject' | 'collection' | 'upsert' | 'web-to-lead';
  fields: LeadFields;
  /** Times an upsert matched it on its external id and updated it. */
  updates: number;
}

/** A Web-to-Lead submission Salesforce answered normally but did not turn into a lead. */
export interface DroppedLead {
  readonly org: string;
  readonly reason: string;
  readonly fields: LeadFields;
}

export interface TokenGrant {
  readonly grantType: string;
  readonly clientId: string;
  readonly username?: string;
  /** `issued`, or the OAuth error code answered. */
  readonly result: string;
}

export interface SalesforceSimulatorState {
  readonly leads: readonly StoredLead[];
  /** Web-to-Lead submissions dropped silently (validation, required field, picklist, unknown org). */
  readonly dropped: readonly DroppedLead[];
  /** Web-to-Lead submissions past the org's daily limit (Salesforce queues them and e-mails the admin). */
  readonly pending: readonly DroppedLead[];
  /** Calls per endpoint. */
  readonly calls: Readonly<Record<SalesforceEndpoint, number>>;
  /** Calls per `endpoint:consumer key` (API) or `webToLead:org id`. */
  readonly callsBy: Readonly<Record<string, number>>;
  readonly grants: readonly TokenGrant[];
}

export interface SalesforceSimulatorOptions {
  /** Every CRM answer is sent after this delay (benchmarks: a real org answers in hundreds of ms). */
  readonly latencyMs?: number;
}

interface IssuedToken {
  readonly clientId: string;
  revoked: boolean;
}

const DATA_PATH = '/services/data/:version';
const VERSION = /^v\d{2,3}\.\d$/;

/**
 * Salesforce as the sinks meet it: the OAuth 2.0 token endpoint (client credentials and username-password flows),
 * REST `sobjects/Lead`, sObject Collections create and upsert-by-external-id, and the Web-to-Lead servlet, with
 * Salesforce's status codes and bodies. What happens is chosen by configured values (`SALESFORCE_SCENARIOS`).
 */
export function createSalesforceSimulator(opts: SalesforceSimulatorOptions = {}): SimulatorApp {
  const latencyMs = opts.latencyMs ?? 0;
  let leads: StoredLead[] = [];
  let dropped: DroppedLead[] = [];
  let pending: DroppedLead[] = [];
  let grants: TokenGrant[] = [];
  let calls: Record<SalesforceEndpoint, number> = emptyCalls();
  let callsBy: Record<string, number> = {};
  let tokens = new Map<string, IssuedToken>();
  /** Consumer keys whose first token already expired once (scenario sessionExpiresOnce). */
  let expiredOnce = new Set<string>();
  /** Web-to-Lead submissions per `orgId@UTC day`. */
  let webToLeadPerDay = new Map<string, number>();
  let sequence = 0;

  const count = (endpoint: SalesforceEndpoint, by: string) => {
    calls[endpoint]++;
    callsBy[`${endpoint}:${by}`] = (callsBy[`${endpoint}:${by}`] ?? 0) + 1;
  };
  const nextId = () => `00QSIM${(++sequence).toString(36).toUpperCase().padStart(12, '0')}`;
  const delay = () => (latencyMs > 0 ? new Promise((r) => setTimeout(r, latencyMs)) : Promise.resolve());

  /** The org behind the request's bearer token, or the 401 Salesforce answers. */
  function authorize(req: FastifyRequest, reply: FastifyReply): { clientId: string; org: OrgBehaviour } | undefined {
    const header = req.headers.authorization ?? '';
    const token = tokens.get(header.replace(/^Bearer\s+/i, ''));
    const org = token ? clientScenario(token.clientId) : undefined;
    if (token?.clientId === SALESFORCE_SCENARIOS.clients.sessionExpiresOnce && !expiredOnce.has(token.clientId)) {
      expiredOnce.add(token.clientId);
      token.revoked = true;
    }
    if (!token || token.revoked || !org || org === 'unknown') {
      void reply.code(401).send(ANSWERS.invalidSession);
      return undefined;
    }
    if (org === 'apiLimit') {
      void reply.code(403).send(ANSWERS.requestLimit);
      return undefined;
    }
    return { clientId: token.clientId, org };
  }

  function create(fields: LeadFields, clientId: string, via: StoredLead['via']): StoredLead {
    const stored: StoredLead = { id: nextId(), org: clientId, via, fields, updates: 0 };
    leads.push(stored);
    return stored;
  }

  function token(req: FastifyRequest, reply: FastifyReply) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const grantType = String(body['grant_type'] ?? '');
    const clientId = String(body['client_id'] ?? '');
    const username = typeof body['username'] === 'string' ? body['username'] : undefined;
    count('token', clientId);
    const refuse = (answer: { error: string; error_description: string }) => {
      grants.push({ grantType, clientId, ...(username ? { username } : {}), result: answer.error });
      return reply.code(400).send(answer);
    };
    if (grantType !== 'client_credentials' && grantType !== 'password') return refuse(ANSWERS.unsupportedGrant);
    const org = clientScenario(clientId);
    if (!org) return refuse(ANSWERS.invalidClientId);
    if (body['client_secret'] !== SALESFORCE_SCENARIOS.clientSecret) return refuse(ANSWERS.invalidClient);
    if (
      grantType === 'password' &&
      (username !== SALESFORCE_SCENARIOS.username || body['password'] !== SALESFORCE_SCENARIOS.password)
    )
      return refuse(ANSWERS.invalidGrant);
    grants.push({ grantType, clientId, ...(username ? { username } : {}), result: 'issued' });
    const accessToken = `00DSIM!${randomBytes(24).toString('base64url')}`;
    tokens.set(accessToken, { clientId, revoked: false });
    const base = `https://${req.headers.host ?? '127.0.0.1'}`;
    return reply.send({
      access_token: accessToken,
      signature: randomBytes(32).toString('base64'),
      scope: 'api',
      instance_url: base,
      id: `${base}/id/00DSIMOK0000001AAA/005SIM000000001AAA`,
      token_type: 'Bearer',
      issued_at: String(Date.now()),
    });
  }

  function sobjectCreate(req: FastifyRequest, reply: FastifyReply) {
    const auth = authorize(req, reply);
    if (!auth) return reply;
    count('sobject', auth.clientId);
    const fields = recordFields(req.body);
    if (!fields) return reply.code(400).send(ANSWERS.malformed('The request body is not a JSON object'));
    const errors = validateLead(fields, auth.org, nextId());
    if (errors.length > 0) return reply.code(400).send(errors);
    const stored = create(fields, auth.clientId, 'sobject');
    return reply.code(201).send({ id: stored.id, success: true, errors: [] });
  }

  function collection(req: FastifyRequest, reply: FastifyReply, extIdField?: string) {
    const auth = authorize(req, reply);
    if (!auth) return reply;
    count(extIdField ? 'upsert' : 'collection', auth.clientId);
    const body = (req.body ?? {}) as { allOrNone?: unknown; records?: unknown };
    if (!Array.isArray(body.records)) return reply.code(400).send(ANSWERS.malformed('records is required'));
    if (body.records.length > SALESFORCE_SCENARIOS.collectionLimit) return reply.code(400).send(ANSWERS.tooManyRecords);
    const checked = body.records.map((r: unknown) => {
      const fields = recordFields(r);
      if (!fields) return { fields: {}, errors: [{ message: 'not a record', errorCode: 'INVALID_TYPE', fields: [] }] };
      return { fields, errors: validateLead(fields, auth.org, nextId()) };
    });
    const anyFailed = checked.some((c) => c.errors.length > 0);
    // allOrNone: one failure rolls every record back (sObject Collections, REST API Developer Guide).
    if (body.allOrNone === true && anyFailed) {
      return reply.send(
        checked.map((c) => ({
          success: false,
          errors:
            c.errors.length > 0
              ? c.errors.map(collectionError)
              : [
                  collectionError({
                    message:
                      'Record rolled back because not all records were valid and the request was using AllOrNone header',
                    errorCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                  }),
                ],
        })),
      );
    }
    return reply.send(
      checked.map((c) => {
        if (c.errors.length > 0) return { success: false, errors: c.errors.map(collectionError) };
        if (!extIdField) return { id: create(c.fields, auth.clientId, 'collection').id, success: true, errors: [] };
        return upsert(c.fields, auth.clientId, extIdField);
      }),
    );
  }

  function upsert(fields: LeadFields, clientId: string, extIdField: string): Record<string, unknown> {
    const key = fields[extIdField];
    if (typeof key !== 'string' || key === '') {
      return {
        success: false,
        errors: [
          collectionError({
            message: `${extIdField} not specified`,
            errorCode: 'MISSING_ARGUMENT',
            fields: [extIdField],
          }),
        ],
      };
    }
    const existing = leads.find((l) => l.org === clientId && l.fields[extIdField] === key);
    if (existing) {
      existing.fields = { ...existing.fields, ...fields };
      existing.updates++;
      return { id: existing.id, success: true, errors: [], created: false };
    }
    return { id: create(fields, clientId, 'upsert').id, success: true, errors: [], created: true };
  }

  function webToLead(req: FastifyRequest, reply: FastifyReply) {
    const form = (req.body ?? {}) as Record<string, unknown>;
    const orgId = String(form['oid'] ?? '');
    count('webToLead', orgId);
    const fields: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(WEB_TO_LEAD_FIELDS)) {
      if (typeof form[name] === 'string' && form[name] !== '') fields[field] = form[name];
    }
    // Web-to-Lead fills a blank Company with "[not provided]" (Salesforce Help, "Web-to-Lead").
    if (!fields['Company']) fields['Company'] = '[not provided]';
    const scenario = orgScenario(orgId);
    const day = `${orgId}@${new Date().toISOString().slice(0, 10)}`;
    const today = (webToLeadPerDay.get(day) ?? 0) + 1;
    webToLeadPerDay.set(day, today);
    if (scenario === 'unknown') dropped.push({ org: orgId, reason: 'UNKNOWN_ORG', fields });
    else if (today > SALESFORCE_SCENARIOS.webToLeadDailyLimit)
      pending.push({ org: orgId, reason: 'DAILY_LIMIT', fields });
    else {
      const [error] = validateLead(fields, scenario, nextId());
      if (error) dropped.push({ org: orgId, reason: error.errorCode, fields });
      else create(fields, orgId, 'web-to-lead');
    }
    // The servlet answers the same whatever became of the lead: errors only reach the org's admin by e-mail.
    return reply
      .code(200)
      .type('text/html;charset=UTF-8')
      .send('<html><head><meta http-equiv="Cache-Control" content="no-cache"></head><body></body></html>\n');
  }

  return {
    name: 'salesforce',
    register(app: FastifyInstance) {
      app.addHook('preHandler', async (req) => {
        if (!req.url.startsWith('/_') && req.url !== '/healthz') await delay();
      });
      app.post('/services/oauth2/token', async (req, reply) => token(req, reply));
      app.post(`${DATA_PATH}/sobjects/Lead`, async (req, reply) => {
        if (!versionOk(req, reply)) return reply;
        return sobjectCreate(req, reply);
      });
      app.post(`${DATA_PATH}/composite/sobjects`, async (req, reply) => {
        if (!versionOk(req, reply)) return reply;
        return collection(req, reply);
      });
      app.patch(`${DATA_PATH}/composite/sobjects/Lead/:field`, async (req, reply) => {
        if (!versionOk(req, reply)) return reply;
        return collection(req, reply, (req.params as { field: string }).field);
      });
      app.post('/servlet/servlet.WebToLead', async (req, reply) => webToLead(req, reply));
    },
    state: (): SalesforceSimulatorState => ({ leads, dropped, pending, calls, callsBy, grants }),
    reset() {
      leads = [];
      dropped = [];
      pending = [];
      grants = [];
      calls = emptyCalls();
      callsBy = {};
      tokens = new Map();
      expiredOnce = new Set();
      webToLeadPerDay = new Map();
    },
  };
}

function emptyCalls(): Record<SalesforceEndpoint, number> {
  return { token: 0, sobject: 0, collection: 0, upsert: 0, webToLead: 0 };
}

function versionOk(req: FastifyRequest, reply: FastifyReply): boolean {
  if (VERSION.test((req.params as { version: string }).version)) return true;
  void reply.code(404).send(ANSWERS.notFound);
  return false;
}

/** A record's fields without its `attributes` (type, url) and without Id, or undefined if it is not an object. */
function recordFields(value: unknown): LeadFields | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { attributes: _attributes, Id: _id, ...fields } = value as Record<string, unknown>;
  return fields;
}
