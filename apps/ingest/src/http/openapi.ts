import { z } from 'zod';
import { DestinationSchema, LeadSchema } from '@leadflow/lead-model';
import { DestinationSavedSchema, DestinationViewSchema, OfferStatusSchema } from '../destinations/destination.schemas';
import {
  BatchRequestSchema,
  BatchResultSchema,
  LeadAcceptedSchema,
  LeadInputSchema,
  LegacyLeadSchema,
  MarketplaceLeadSchema,
} from '../leads/leads.schemas';
import { ProblemSchema } from './problem.schemas';

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ 'application/json': { schema: ref(id) } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

const offerIdParam = {
  name: 'offerId',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: '"publisherid.offerid"',
};
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', maxLength: 255 },
  description: 'A retry with the same key (and no leadId in the body) gets the same leadId',
};

const commonErrors = {
  '400': problem('Malformed JSON or invalid fields (every failing field is named in errors)'),
  '401': problem('Missing or invalid bearer token'),
};
const leadErrors = {
  ...commonErrors,
  '413': problem('Body larger than the endpoint accepts'),
  '415': problem('Body is not application/json'),
  '503': problem('The broker is unavailable: nothing was accepted; retry after Retry-After seconds'),
};
const adminErrors = { ...commonErrors, '403': problem('A producer token cannot change offer configuration') };

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
    ['MarketplaceLeadInput', MarketplaceLeadSchema],
    ['LegacyLeadInput', LegacyLeadSchema],
    ['LeadInput', LeadInputSchema],
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
      return [id, rest];
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
          description: 'LEADFLOW_INGEST_TOKENS (producer) or LEADFLOW_ADMIN_TOKENS (admin)',
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
          parameters: [{ ...idempotencyKey, description: 'Item i gets the key "<key>:i"' }],
          requestBody: { required: true, content: json('BatchRequest') },
          responses: {
            '200': { description: 'One result per item, in order', content: json('BatchResult') },
            ...leadErrors,
          },
        },
      },
      '/v1/offers/{offerId}/leads': {
        post: {
          summary: "Submit one lead for the offer of the path (token, or the offer's signed URL)",
          security: [{ bearer: [] }, { offerSignature: [] }],
          parameters: [offerIdParam, idempotencyKey],
          requestBody: { required: true, content: json('LeadInput') },
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
            '503': problem('Broker unavailable'),
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
          responses: { '204': { description: 'Removed' }, ...adminErrors, '503': problem('Broker unavailable') },
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
