import { z } from 'zod';
import { DestinationSchema, LeadSchema, LIMITS, OFFER_ID_PATTERN } from '@leadflow/lead-model';
import { DestinationSavedSchema, DestinationViewSchema, OfferStatusSchema } from '../destinations/destination.schemas';
import { IDEMPOTENCY_KEY } from '../leads/lead-intake';
import {
  BatchRequestSchema,
  BatchResultSchema,
  CanonicalLeadInputSchema,
  CanonicalOfferLeadInputSchema,
  LeadAcceptedSchema,
  LeadInputSchema,
  LegacyLeadInputSchema,
  LegacyOfferLeadInputSchema,
  MarketplaceLeadInputSchema,
  MarketplaceOfferLeadInputSchema,
  OfferLeadInputSchema,
} from '../leads/leads.schemas';
import { ProblemSchema } from '../common/problem.schemas';

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ 'application/json': { schema: ref(id) } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

/**
 * JSON Schema patterns are read by tools in other regex dialects (Schemathesis: Python's). Where
 * JavaScript and Python differ, say what JavaScript means: `\d` is ASCII digits only, and a final `$`
 * is the end of the text (Python's also matches before a final newline).
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

const offerIdParam = {
  name: 'offerId',
  in: 'path',
  required: true,
  schema: { type: 'string', maxLength: LIMITS.offerId, pattern: portablePattern(OFFER_ID_PATTERN.source) },
  description: '"publisherid.offerid"',
};
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: portablePattern(IDEMPOTENCY_KEY.source) },
  description: 'Visible ASCII. A retry with the same key (and no leadId in the body) gets the same leadId',
};

const withRetryAfter = (description: string) => ({
  ...problem(description),
  headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer', minimum: 1 } } },
});
const commonErrors = {
  '400': problem('Malformed JSON or invalid fields (every failing field is named in errors)'),
  '401': problem('Missing or invalid bearer token'),
  '429': withRetryAfter('Too many requests for this credential (LEADFLOW_RATE_LIMIT_MAX per window)'),
};
const leadErrors = {
  ...commonErrors,
  '413': problem('Body larger than the endpoint accepts'),
  '415': problem('Body is not application/json'),
  '503': withRetryAfter('The broker is unavailable: nothing was accepted; retry after Retry-After seconds'),
};
const adminErrors = {
  ...commonErrors,
  '403': problem('No role of the token allows this route (a producer token cannot change offer configuration)'),
};
const bodyErrors = {
  '413': problem('Body larger than the endpoint accepts'),
  '415': problem('Body is not application/json'),
};

/**
 * The OpenAPI 3.1 document of the ingest, its schemas generated with `z.toJSONSchema` from the zod
 * schemas the handlers validate with (lead-model's LeadSchema and DestinationSchema, the batch envelope).
 */
export function buildOpenApiDocument(publicUrl: string): object {
  // A registry of our own (not zod's global one): the ids are this document's component names.
  const registry = z.registry<{ id: string }>();
  const components: [string, z.ZodType][] = [
    ['Problem', ProblemSchema],
    ['Lead', LeadSchema],
    ['CanonicalLeadInput', CanonicalLeadInputSchema],
    ['MarketplaceLeadInput', MarketplaceLeadInputSchema],
    ['LegacyLeadInput', LegacyLeadInputSchema],
    ['LeadInput', LeadInputSchema],
    ['CanonicalOfferLeadInput', CanonicalOfferLeadInputSchema],
    ['MarketplaceOfferLeadInput', MarketplaceOfferLeadInputSchema],
    ['LegacyOfferLeadInput', LegacyOfferLeadInputSchema],
    ['OfferLeadInput', OfferLeadInputSchema],
    ['LeadAccepted', LeadAcceptedSchema],
    ['BatchRequest', BatchRequestSchema],
    ['BatchResult', BatchResultSchema],
    ['Destination', DestinationSchema],
    ['DestinationView', DestinationViewSchema],
    ['DestinationSaved', DestinationSavedSchema],
    ['OfferStatus', OfferStatusSchema],
  ];
  for (const [id, schema] of components) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    uri: (id) => `#/components/schemas/${id}`,
    io: 'input',
    unrepresentable: 'any',
  });
  // Components live inside the document: drop the per-schema $schema/$id that standalone JSON Schema carries.
  const componentSchemas = Object.fromEntries(
    Object.entries(schemas).map(([id, s]) => {
      const { $schema: _s, $id: _i, ...rest } = s as Record<string, unknown>;
      return [id, portablePatterns(rest)];
    }),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'leadflow ingest',
      version: '1.0.0',
      description: 'Accepts marketplace leads and manages offer destinations.',
    },
    servers: [{ url: publicUrl }],
    components: {
      schemas: componentSchemas,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An OAuth 2.0 access token of the configured OIDC issuer (roles claim: producer, publisher, analyst, operator; publishers claim), or a static token configured as a digest',
        },
        offerSignature: {
          type: 'apiKey',
          in: 'query',
          name: 'sig',
          description: "HMAC-SHA256 of the offer id (base64url): the offer's signed lead URL",
        },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/leads': {
        post: {
          summary: 'Submit one lead (any of the three input shapes)',
          parameters: [idempotencyKey],
          requestBody: { required: true, content: json('LeadInput') },
          responses: {
            '202': { description: 'Acknowledged by the broker', content: json('LeadAccepted') },
            ...leadErrors,
          },
        },
      },
      '/v1/leads/batch': {
        post: {
          summary: 'Submit up to 1,000 leads in one request',
          description:
            'Every item is validated on its own (as LeadInput): valid items are published together, and each ' +
            'invalid one gets its problem details in its place in the 200 answer. Only a malformed envelope ' +
            '(no leads array, 0 or more than 1,000 items) is a 400.',
          parameters: [{ ...idempotencyKey, description: 'Visible ASCII. Item i gets the key "<key>:i"' }],
          requestBody: { required: true, content: json('BatchRequest') },
          responses: {
            '200': {
              description: 'One result per item, in order: { leadId } or the problem details of the item',
              content: json('BatchResult'),
            },
            ...leadErrors,
          },
        },
      },
      '/v1/offers/{offerId}/leads': {
        post: {
          summary: "Submit one lead for the offer of the path (token, or the offer's signed URL)",
          security: [{ bearer: [] }, { offerSignature: [] }],
          parameters: [offerIdParam, idempotencyKey],
          requestBody: { required: true, content: json('OfferLeadInput') },
          responses: {
            '202': { description: 'Acknowledged by the broker', content: json('LeadAccepted') },
            ...leadErrors,
          },
        },
      },
      '/v1/offers/{offerId}/destination': {
        parameters: [offerIdParam],
        put: {
          summary: 'Save the destination (secrets write-only) and send a validation lead',
          requestBody: { required: true, content: json('Destination') },
          responses: {
            '200': { description: 'Saved; validation pending', content: json('DestinationSaved') },
            ...adminErrors,
            ...bodyErrors,
            '503': withRetryAfter('Broker unavailable'),
          },
        },
        get: {
          summary: 'The destination with secrets masked, and the signed lead URL',
          responses: {
            '200': { description: 'The destination', content: json('DestinationView') },
            ...adminErrors,
            '404': problem('No destination'),
          },
        },
        delete: {
          summary: "Remove the destination (the offer's leads then dead-letter as ROUTER.OFFER_NOT_CONFIGURED)",
          responses: {
            '204': { description: 'Removed (also when there was none)' },
            ...adminErrors,
            '503': withRetryAfter('Broker unavailable'),
          },
        },
      },
      '/v1/offers/{offerId}/status': {
        get: {
          summary: 'Validation status of the latest configuration, last delivery, dead letters',
          parameters: [offerIdParam],
          responses: {
            '200': { description: 'Status', content: json('OfferStatus') },
            ...adminErrors,
            '404': problem('No destination'),
          },
        },
      },
      '/healthz': { get: { summary: 'Liveness', security: [], responses: { '200': { description: 'Alive' } } } },
      '/readyz': {
        get: {
          summary: 'Readiness: broker reachable, offers loaded',
          security: [],
          responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          security: [],
          responses: { '200': { description: 'Prometheus text format' } },
        },
      },
    },
  };
}
