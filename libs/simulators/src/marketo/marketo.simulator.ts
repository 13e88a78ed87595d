import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatorApp } from '../server';
import { InstanceLimits, MARKETO_LIMITS, type LimitSettings } from './marketo-limits';
import { MARKETO_FORM_FIELDS, MARKETO_LEAD_FIELDS, MARKETO_SCENARIOS } from './marketo-scenarios';

/**
 * Marketo's REST API as a publisher's instance shows it to leadflow: the identity service, Sync Leads and
 * Submit Form, with the real envelope (`requestId`, `success`, `errors[{code,message}]`, `result[]` with a
 * per-record `status` and `reasons[]`) and HTTP 200 on response- and record-level errors
 * (https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/error-codes).
 *
 * Base URLs may carry a path prefix (`https://127.0.0.1:9444/<munchkinId>`): routes match on the path suffix, and
 * the Munchkin ID is the prefix's first segment (or the host's first label, as in `<munchkinId>.mktorest.com`).
 */
export interface MarketoSimulatorOptions {
  /** Every answer comes after this delay (benchmarks: a CRM answers in hundreds of milliseconds). */
  readonly latencyMs?: number;
  /** Marketo's per-instance limits; tests of the simulator itself may shrink them. */
  readonly limits?: LimitSettings;
}

type Endpoint = 'identity' | 'syncLeads' | 'submitForm';

const ROUTES: readonly { suffix: string; endpoint: Endpoint }[] = [
  { suffix: '/identity/oauth/token', endpoint: 'identity' },
  { suffix: '/rest/v1/leads/submitForm.json', endpoint: 'submitForm' },
  { suffix: '/rest/v1/leads.json', endpoint: 'syncLeads' },
];

const TOKEN_LIFETIME_S = 3600;
const MAX_BATCH = 300;
const MUNCHKIN = /^\d{3}-[A-Za-z]{3}-\d{3}$/;

interface StoredLead {
  readonly id: number;
  readonly email: string;
  fields: Record<string, string>;
  readonly createdAt: string;
  updates: number;
}

interface Instance {
  readonly limits: InstanceLimits;
  readonly calls: Record<Endpoint, number>;
  /** Response-level error codes answered, by code. */
  readonly answered: Record<string, number>;
  readonly tokenGrants: { clientId: string; at: string }[];
  readonly leads: Map<string, StoredLead>;
  readonly formFills: { formId: number; leadId: number; fields: Record<string, string> }[];
  nextId: number;
}

interface Token {
  readonly munchkin: string;
  readonly clientId: string;
  readonly expiresAt: number;
  refuseOnce: boolean;
}

interface Reason {
  readonly code: string;
  readonly message: string;
}

type RecordResult = { id: number; status: 'created' | 'updated' } | { status: 'skipped'; reasons: Reason[] };

const requestId = () => `${randomBytes(2).toString('hex')}#${Date.now().toString(16)}`;
const failure = (code: string, message: string) => ({
  requestId: requestId(),
  success: false,
  errors: [{ code, message }],
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringParams(...sources: unknown[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sources) {
    if (!isRecord(s)) continue;
    for (const [k, v] of Object.entries(s)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

export function marketoSimulator(opts: MarketoSimulatorOptions = {}): SimulatorApp {
  const instances = new Map<string, Instance>();
  const tokens = new Map<string, Token>();
  const current = new Map<string, string>();
  const latency = opts.latencyMs ?? 0;

  const instance = (munchkin: string): Instance => {
    let i = instances.get(munchkin);
    if (!i) {
      i = {
        limits: new InstanceLimits(opts.limits ?? MARKETO_LIMITS),
        calls: { identity: 0, syncLeads: 0, submitForm: 0 },
        answered: {},
        tokenGrants: [],
        leads: new Map(),
        formFills: [],
        nextId: 1000,
      };
      instances.set(munchkin, i);
    }
    return i;
  };

  const answer = (inst: Instance, code: string, message: string) => {
    inst.answered[code] = (inst.answered[code] ?? 0) + 1;
    return failure(code, message);
  };

  function identity(munchkin: string, req: FastifyRequest, reply: FastifyReply) {
    const inst = instance(munchkin);
    const p = stringParams(req.query, req.body);
    const clientId = p['client_id'] ?? '';
    if (p['grant_type'] !== 'client_credentials' || !clientId || !p['client_secret']) {
      return reply.code(400).send({ error: 'invalid_request', error_description: 'Bad client credentials' });
    }
    if (clientId === MARKETO_SCENARIOS.clientId.badClient)
      return reply.code(401).send({ error: 'invalid_client', error_description: 'Bad client credentials' });
    const key = `${munchkin}|${clientId}`;
    const existing = current.get(key);
    const live = existing ? tokens.get(existing) : undefined;
    // Calling the identity service again before expiry returns the same token with its remaining life.
    if (existing && live && live.expiresAt > Date.now()) {
      return tokenBody(existing, live.expiresAt);
    }
    const token = `${randomUUID()}:sim`;
    const expiresAt = Date.now() + TOKEN_LIFETIME_S * 1000;
    tokens.set(token, {
      munchkin,
      clientId,
      expiresAt,
      refuseOnce:
        clientId === MARKETO_SCENARIOS.clientId.tokenExpiresOnce &&
        !inst.tokenGrants.some((g) => g.clientId === clientId),
    });
    if (existing) tokens.delete(existing);
    current.set(key, token);
    inst.tokenGrants.push({ clientId, at: new Date().toISOString() });
    return tokenBody(token, expiresAt);
  }

  function tokenBody(token: string, expiresAt: number) {
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: Math.max(0, Math.floor((expiresAt - Date.now()) / 1000) - 1),
      scope: 'apis@leadflow.example',
    };
  }

  /** The checks Marketo makes before executing a call: token, subscription, quota, limits. */
  function refusal(munchkin: string, inst: Instance, req: FastifyRequest): ReturnType<typeof failure> | Token {
    const auth = req.headers.authorization;
    const q = stringParams(req.query);
    const raw = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : q['access_token'];
    const token = raw ? tokens.get(raw) : undefined;
    // 601/602 don't count against the quota or the rate limit (Error Codes, note on response-level codes).
    if (!token || token.munchkin !== munchkin || token.clientId === MARKETO_SCENARIOS.clientId.tokenInvalid)
      return answer(inst, '601', 'Access token invalid');
    if (token.expiresAt <= Date.now() || token.refuseOnce) {
      token.refuseOnce = false;
      tokens.set(raw ?? '', { ...token, expiresAt: 0 });
      return answer(inst, '602', 'Access token expired');
    }
    const s = MARKETO_SCENARIOS.munchkin;
    if (munchkin === s.invalidSubscription) return answer(inst, '614', 'Invalid Subscription');
    if (munchkin === s.dailyQuotaReached) return answer(inst, '607', 'Daily quota reached');
    if (munchkin === s.rateLimited) return answer(inst, '606', "Max rate limit '100' exceeded with in '20' secs");
    if (munchkin === s.concurrencyLimited) return answer(inst, '615', 'Concurrent access limit reached');
    return token;
  }

  function scenarioReason(email: string): Reason | undefined {
    const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
    const d = MARKETO_SCENARIOS.emailDomain;
    if (domain === d.invalidValue)
      return { code: '1001', message: `Invalid value '${email}'. Required of type 'email'` };
    if (domain === d.invalidData) return { code: '1003', message: 'Invalid data' };
    // The text Marketo actually returns (its documentation writes "Multiple leads match the lookup criteria").
    if (domain === d.multipleMatch) return { code: '1007', message: 'Multiple lead match lookup criteria' };
    return undefined;
  }

  function upsert(inst: Instance, fields: Record<string, string>): RecordResult {
    const email = fields['email'] ?? '';
    const key = email.toLowerCase();
    const found = inst.leads.get(key);
    if (found) {
      found.fields = { ...found.fields, ...fields };
      found.updates++;
      return { id: found.id, status: 'updated' };
    }
    const lead: StoredLead = { id: inst.nextId++, email, fields, createdAt: new Date().toISOString(), updates: 0 };
    inst.leads.set(key, lead);
    return { id: lead.id, status: 'created' };
  }

  /** A record's fields, or why it is skipped. */
  function checkRecord(
    munchkin: string,
    record: unknown,
    allowed: readonly string[],
  ): { fields: Record<string, string> } | { reasons: Reason[] } {
    if (!isRecord(record)) return { reasons: [{ code: '1003', message: 'Invalid data' }] };
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(record)) {
      const known =
        allowed.includes(k) && !(k === 'title' && munchkin === MARKETO_SCENARIOS.munchkin.titleFieldMissing);
      if (!known) return { reasons: [{ code: '1006', message: `Field '${k}' not found` }] };
      if (typeof v !== 'string')
        return { reasons: [{ code: '1001', message: `Invalid value '${String(v)}'. Required of type 'string'` }] };
      fields[k] = v;
    }
    const email = fields['email'];
    if (!email) return { reasons: [{ code: '1003', message: "Value for lookup field 'email' not found" }] };
    const reason = scenarioReason(email);
    return reason ? { reasons: [reason] } : { fields };
  }

  function syncLeads(munchkin: string, inst: Instance, body: unknown) {
    if (!isRecord(body)) return answer(inst, '609', 'Invalid JSON');
    const input = body['input'];
    if (!Array.isArray(input) || input.length === 0) return answer(inst, '701', 'input cannot be blank');
    if (input.length > MAX_BATCH) return answer(inst, '1003', `Batch size exceeds the limit of ${MAX_BATCH}`);
    if ((body['action'] ?? 'createOrUpdate') !== 'createOrUpdate' || (body['lookupField'] ?? 'email') !== 'email')
      return answer(inst, '1003', 'Only createOrUpdate by email is simulated');
    const result = input.map((record): RecordResult => {
      const checked = checkRecord(munchkin, record, MARKETO_LEAD_FIELDS);
      return 'reasons' in checked ? { status: 'skipped', reasons: checked.reasons } : upsert(inst, checked.fields);
    });
    return { requestId: requestId(), success: true, result };
  }

  function submitForm(munchkin: string, inst: Instance, body: unknown) {
    if (!isRecord(body)) return answer(inst, '609', 'Invalid JSON');
    const formId = Number(body['formId']);
    // Marketo does not document the answer for an unknown form; the simulator answers as for a failed lookup.
    if (!Number.isInteger(formId) || formId <= 0 || formId === MARKETO_SCENARIOS.formId.notFound)
      return answer(inst, '702', 'Form not found');
    const input = body['input'];
    if (!Array.isArray(input) || input.length === 0) return answer(inst, '701', 'input cannot be blank');
    // "Pass one object record in the required input member" (Leads, Submit Form).
    if (input.length > 1) return answer(inst, '1003', 'Only one input record is allowed');
    const formFields: readonly string[] =
      formId === MARKETO_SCENARIOS.formId.lackingFields ? ['firstName', 'lastName', 'email'] : MARKETO_FORM_FIELDS;
    const first: unknown = input[0];
    const checked = checkRecord(munchkin, isRecord(first) ? first['leadFormFields'] : undefined, formFields);
    if ('reasons' in checked)
      return { requestId: requestId(), success: true, result: [{ status: 'skipped', reasons: checked.reasons }] };
    const upserted = upsert(inst, checked.fields);
    if ('id' in upserted) inst.formFills.push({ formId, leadId: upserted.id, fields: checked.fields });
    return { requestId: requestId(), success: true, result: [upserted] };
  }

  function munchkinOf(prefix: string, host: string | undefined): string {
    const first = prefix.split('/').find((s) => s !== '');
    if (first) return first.toUpperCase();
    const label = (host ?? '').split('.')[0] ?? '';
    return MUNCHKIN.test(label) ? label.toUpperCase() : 'DEFAULT';
  }

  return {
    name: 'marketo',
    register(server) {
      server.route({
        method: ['GET', 'POST'],
        url: '/*',
        handler: async (req, reply) => {
          const path = req.url.split('?')[0] ?? '';
          const route = ROUTES.find((r) => path.endsWith(r.suffix));
          if (!route) return reply.code(404).send({ error: 'not found' });
          const munchkin = munchkinOf(path.slice(0, -route.suffix.length), req.headers.host);
          const inst = instance(munchkin);
          inst.calls[route.endpoint]++;
          if (route.endpoint === 'identity') {
            if (latency > 0) await sleep(latency);
            return identity(munchkin, req, reply);
          }
          // "GET is not supported for the Sync Leads endpoint. POST must be used." (605)
          if (req.method !== 'POST') return answer(inst, '605', 'HTTP Method not supported');
          const refused = refusal(munchkin, inst, req);
          if ('success' in refused) {
            if (latency > 0) await sleep(latency);
            return refused;
          }
          const admitted = inst.limits.admit();
          if (admitted === '606') {
            if (latency > 0) await sleep(latency);
            return answer(inst, '606', "Max rate limit '100' exceeded with in '20' secs");
          }
          if (admitted === '615') {
            if (latency > 0) await sleep(latency);
            return answer(inst, '615', 'Concurrent access limit reached');
          }
          try {
            if (latency > 0) await sleep(latency);
            if (refused.clientId === MARKETO_SCENARIOS.clientId.accessDenied)
              return answer(inst, '603', 'Access denied');
            return route.endpoint === 'syncLeads'
              ? syncLeads(munchkin, inst, req.body)
              : submitForm(munchkin, inst, req.body);
          } finally {
            inst.limits.release();
          }
        },
      });
    },
    state: () => ({
      munchkins: Object.fromEntries(
        [...instances].map(([munchkin, i]) => [
          munchkin,
          {
            calls: i.calls,
            answered: i.answered,
            tokenGrants: i.tokenGrants,
            maxConcurrent: i.limits.maxConcurrentSeen,
            leads: [...i.leads.values()],
            formFills: i.formFills,
          },
        ]),
      ),
    }),
    reset: () => {
      instances.clear();
      tokens.clear();
      current.clear();
    },
  };
}

/** What `GET /_state` answers, typed for tests. */
export interface MarketoSimulatorState {
  readonly munchkins: Record<
    string,
    {
      readonly calls: Record<Endpoint, number>;
      readonly answered: Record<string, number>;
      readonly tokenGrants: readonly { clientId: string; at: string }[];
      readonly maxConcurrent: number;
      readonly leads: readonly StoredLead[];
      readonly formFills: readonly { formId: number; leadId: number; fields: Record<string, string> }[];
    }
  >;
}
