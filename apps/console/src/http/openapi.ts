import { z } from 'zod';
import { LIMITS, OFFER_ID_PATTERN } from '@leadflow/lead-model';
import {
  DeadLetterListSchema,
  EmailSearchRequestSchema,
  FilterSchema,
  LeadHistorySchema,
  LeadSearchResultSchema,
  OfferListSchema,
  OfferSchema,
  OverviewSchema,
  QUERY_FIELD_MAX,
  ReplayJobSchema,
  ReplayPreviewRequestSchema,
  ReplayPreviewSchema,
  ReplayStartRequestSchema,
  RevealSchema,
} from '../api/api.schemas';
import { ProblemSchema } from './problem.schemas';

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ 'application/json': { schema: ref(id) } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const ok = (id: string, description = 'OK') => ({ description, content: json(id) });

/**
 * JSON Schema patterns are read by tools in other regex dialects (Schemathesis: Python's): `\d` is ASCII digits
 * only in JavaScript, and a final `$` is the end of the text (Python's also matches before a final newline).
 */
export function portablePattern(pattern: string): string {
  return pattern.replace(/(?<!\\)((?:\\\\)*)\\d/g, '$1[0-9]').replace(/(?<!\\)\$$/, '(?![\\s\\S])');
}

function portablePatterns(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(portablePatterns);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === 'pattern' && typeof v === 'string' ? portablePattern(v) : portablePatterns(v),
    ]),
  );
}

const auth = { '401': problem('Missing or unknown console token'), '403': problem('This token may not do that') };
const bad = { '400': problem('Invalid input (every failing field is named in errors)') };
const body = { '413': problem('Body too large'), '415': problem('Body is not application/json') };
const offerIdParam = {
  name: 'offerId',
  in: 'path',
  required: true,
  schema: {
    type: 'string',
    minLength: 1,
    maxLength: LIMITS.offerId,
    pattern: portablePattern(OFFER_ID_PATTERN.source),
  },
};
const leadIdParam = {
  name: 'leadId',
  in: 'path',
  required: true,
  schema: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+(?![\\s\\S])' },
};
const replayIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', minLength: 1 } };
const sse = (description: string) => ({
  description,
  content: { 'text/event-stream': { schema: { type: 'string' } } },
});

/** The console API's OpenAPI 3.1 document, its schemas generated from the zod schemas the handlers use. */
export function buildOpenApiDocument(publicUrl: string): object {
  const registry = z.registry<{ id: string }>();
  const components: [string, z.ZodType][] = [
    ['Problem', ProblemSchema],
    ['Filter', FilterSchema],
    ['Overview', OverviewSchema],
    ['OfferList', OfferListSchema],
    ['Offer', OfferSchema],
    ['DeadLetterList', DeadLetterListSchema],
    ['LeadHistory', LeadHistorySchema],
    ['Reveal', RevealSchema],
    ['EmailSearchRequest', EmailSearchRequestSchema],
    ['LeadSearchResult', LeadSearchResultSchema],
    ['ReplayPreviewRequest', ReplayPreviewRequestSchema],
    ['ReplayPreview', ReplayPreviewSchema],
    ['ReplayStartRequest', ReplayStartRequestSchema],
    ['ReplayJob', ReplayJobSchema],
  ];
  for (const [id, schema] of components) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    uri: (id) => `#/components/schemas/${id}`,
    io: 'input',
    unrepresentable: 'any',
  });
  const componentSchemas = Object.fromEntries(
    Object.entries(schemas).map(([id, s]) => {
      const { $schema: _s, $id: _i, ...rest } = s as Record<string, unknown>;
      return [id, portablePatterns(rest)];
    }),
  );
  const filterQuery = ['stage', 'class', 'category', 'offer', 'since', 'until'].map((name) => ({
    name,
    in: 'query',
    required: false,
    schema: { type: 'string', maxLength: QUERY_FIELD_MAX },
  }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'leadflow console',
      version: '1.0.0',
      description:
        "The analysts' and publishers' console: dead letters, a lead's history, offers, replay with live progress.",
    },
    servers: [{ url: publicUrl }],
    components: {
      schemas: componentSchemas,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'a JWT from the OIDC issuer, or a static token (LEADFLOW_STATIC_TOKENS, LEADFLOW_CONSOLE_TOKENS)',
        },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/session': {
        get: {
          summary: 'Who the token belongs to',
          responses: {
            '200': {
              description: 'The principal',
              content: {
                'application/json': {
                  schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
                },
              },
            },
            ...auth,
          },
        },
      },
      '/api/overview': {
        get: {
          summary: 'Dead letters by stage, class and offer (newest first), trend, deliveries, failed validations',
          responses: { '200': ok('Overview'), ...auth },
        },
      },
      '/api/offers': { get: { summary: 'Every offer seen', responses: { '200': ok('OfferList'), ...auth } } },
      '/api/offers/{offerId}': {
        get: {
          summary: 'An offer: masked destination, versions, validation, auto-replay, recent traffic',
          parameters: [offerIdParam],
          responses: { '200': ok('Offer'), ...bad, ...auth, '404': problem('Unknown offer') },
        },
      },
      '/api/dead-letters': {
        get: {
          summary: 'Dead letters matching a filter, newest first (no lead data)',
          parameters: [
            ...filterQuery,
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500 } },
          ],
          responses: { '200': ok('DeadLetterList'), ...bad, ...auth },
        },
      },
      '/api/leads/{leadId}': {
        get: {
          summary: "A lead's history in order: accepted, routed, delivered or dead-lettered, replays, receipt",
          parameters: [leadIdParam],
          responses: { '200': ok('LeadHistory'), ...bad, ...auth, '404': problem('The index holds nothing of it') },
        },
      },
      '/api/leads/{leadId}/reveal': {
        post: {
          summary:
            "The lead's data unmasked, from its dead letters (an explicit action, recorded in leads.audit first)",
          parameters: [leadIdParam],
          responses: {
            '200': ok('Reveal'),
            ...bad,
            ...auth,
            '404': problem('No dead letter holds it'),
            '503': problem('Not shown: its audit record could not be written'),
          },
        },
      },
      '/api/lead-searches': {
        post: {
          summary: 'Lead ids by e-mail, matched on a keyed hash (the address is never stored)',
          requestBody: { required: true, content: json('EmailSearchRequest') },
          responses: { '200': ok('LeadSearchResult'), ...bad, ...body, ...auth },
        },
      },
      '/api/replay-dry-runs': {
        post: {
          summary: 'Dry run: how many dead letters a replay would publish (the ledger excluded)',
          requestBody: { required: true, content: json('ReplayPreviewRequest') },
          responses: { '200': ok('ReplayPreview'), ...bad, ...body, ...auth },
        },
      },
      '/api/replays': {
        post: {
          summary: 'Start a replay (same engine and ledger as leadctl); progress at /api/replays/{id}/events',
          requestBody: { required: true, content: json('ReplayStartRequest') },
          responses: {
            '202': ok('ReplayJob', 'Started'),
            ...bad,
            ...body,
            ...auth,
            '409': problem('A replay is already running'),
          },
        },
      },
      '/api/replays/{id}': {
        get: {
          summary: 'A replay and its result',
          parameters: [replayIdParam],
          responses: { '200': ok('ReplayJob'), ...auth, '404': problem('Unknown replay') },
        },
      },
      '/api/replays/{id}/cancel': {
        post: {
          summary: 'Stop a replay between transactions (what was committed stays in the ledger)',
          parameters: [replayIdParam],
          responses: { '202': ok('ReplayJob', 'Stopping'), ...auth, '404': problem('Unknown replay') },
        },
      },
      '/api/replays/{id}/events': {
        get: {
          summary: 'Server-Sent Events: phase, progress {done,total}, done {matched,replayed,elapsedMs} or error',
          parameters: [replayIdParam],
          responses: {
            '200': sse('The event stream; it ends after done or error'),
            ...auth,
            '404': problem('Unknown replay'),
          },
        },
      },
      '/api/live': {
        get: {
          summary:
            'Server-Sent Events: dead-letter, delivered, replayed, quota-wait (coalesced counts; no customer data)',
          responses: { '200': sse('An endless event stream'), ...auth },
        },
      },
      '/healthz': { get: { summary: 'Liveness', security: [], responses: { '200': { description: 'Alive' } } } },
      '/readyz': {
        get: {
          summary: 'Readiness: the index has read the topics up to their ends as of start',
          security: [],
          responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } },
        },
      },
      '/metrics': {
        get: { summary: 'Prometheus metrics', security: [], responses: { '200': { description: 'Prometheus text' } } },
      },
    },
  };
}
