import { z } from 'zod';
import { ERROR_CATALOG } from './errors';
import { NotificationsSchema } from './notification-contacts';
import { fail, fromZodIssues, ok, type FieldIssue, type Result } from './result';
import { OfferIdSchema } from './lead';
import { DESTINATION_TYPES, MAX_ROUTE_SUFFIX, ROUTE_SUFFIX_PATTERN, type DestinationType } from './topics';

/** Defaults (docs/destinations.md); every endpoint is configurable (sovereign clouds, sandboxes, simulators). */
export const DESTINATION_DEFAULTS = {
  authorityHost: 'https://login.microsoftonline.com',
  salesforceLoginUrl: 'https://login.salesforce.com',
  webToLeadUrl: 'https://webto.salesforce.com/servlet/servlet.WebToLead?encoding=UTF-8',
  marketoBaseUrl: (munchkinId: string) => `https://${munchkinId}.mktorest.com`,
  tableName: 'MarketplaceLeads',
} as const;

const secret = z.string().min(1).max(1024);
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const LABEL = '(?![Xx][Nn]--)[A-Za-z0-9_-]+';
const PORT = '(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])';
/**
 * An http(s) URL both RFC 3986 and the WHATWG URL parser accept: a host name whose last label starts
 * with a letter, or a dotted IPv4 address; a port up to 65535; path and query of RFC 3986 characters
 * with well-formed %-escapes. The OpenAPI document states it, so a URL it allows is always accepted.
 */
export const HTTP_URL_PATTERN = new RegExp(
  `^https?://(?:(?:${LABEL}\\.)*(?![Xx][Nn]--)[A-Za-z][A-Za-z0-9_-]*|${OCTET}(?:\\.${OCTET}){3})(?::${PORT})?` +
    "(?:[/?](?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?$",
);
// The pattern admits only URLs the WHATWG parser (`new URL`, fetch) accepts: no separate parse is needed.
const httpUrl = z.string().max(2048).regex(HTTP_URL_PATTERN, 'must be an http(s) URL');
const topicSuffix = z
  .string()
  .max(MAX_ROUTE_SUFFIX)
  .regex(
    ROUTE_SUFFIX_PATTERN,
    "must be letters, digits, '.', '_' or '-' (it names the topic leads.route.<type>.<suffix>)",
  )
  .optional();

/**
 * Opt-in: when the destination's version changes and its validation lead passes, the offer's dead letters of
 * the configuration category are replayed once.
 */
const autoReplay = z.boolean().optional();

/** Optional: the contacts who get new-lead and broken/fixed-destination notices (docs/notifications.md). */
const notifications = NotificationsSchema.optional();

/** Guid or a verified domain, as Entra ID accepts for a tenant. */
const tenantId = z
  .string()
  .regex(
    /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[A-Za-z0-9.-]+\.[A-Za-z]{2,})$/,
    'must be a directory (tenant) GUID or domain',
  );

export const DynamicsDestinationSchema = z.object({
  type: z.literal('dynamics'),
  // Endpoint URLs are bases: the sink appends /api/data/v9.2/leads. http is allowed for local simulators.
  url: httpUrl,
  auth: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('aad'), tenantId, clientId: z.string().min(1).max(256), clientSecret: secret }),
    z.object({ kind: z.literal('office365'), username: z.string().min(3).max(256), password: secret }),
  ]),
  authorityHost: httpUrl.optional(),
  topicSuffix,
  autoReplay,
  notifications,
});

/** Salesforce org ids are 15 or 18 characters and start with 00D. */
export const SALESFORCE_ORG_ID = /^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/;

export const SalesforceDestinationSchema = z.discriminatedUnion('mode', [
  z.object({
    type: z.literal('salesforce'),
    mode: z.literal('web-to-lead'),
    orgId: z
      .string()
      .regex(SALESFORCE_ORG_ID, 'must be a Salesforce organization id (15 or 18 characters, starting with 00D)'),
    webToLeadUrl: httpUrl.optional(),
    topicSuffix,
    autoReplay,
    notifications,
  }),
  z.object({
    type: z.literal('salesforce'),
    mode: z.literal('api'),
    loginUrl: httpUrl.optional(),
    clientId: z.string().min(1).max(512),
    clientSecret: secret,
    username: z.string().min(3).max(256).optional(),
    password: secret.optional(),
    apiVersion: z
      .string()
      .regex(/^\d{2}\.\d$/, "must look like '62.0'")
      .optional(),
    /**
     * A custom Lead field (Text, External ID, Unique) that receives the lead id: every write is an upsert on it, so a
     * repeat after a crash updates the same record instead of creating a second one.
     */
    externalIdField: z
      .string()
      .max(255)
      .regex(/^[A-Za-z][A-Za-z0-9_]*__c$/, "must be a custom field's API name, e.g. 'LeadflowId__c'")
      .optional(),
    topicSuffix,
    autoReplay,
    notifications,
  }),
]);

export const MarketoDestinationSchema = z.object({
  type: z.literal('marketo'),
  munchkinId: z.string().regex(/^\d{3}-[A-Za-z]{3}-\d{3}$/, "must look like '123-ABC-456'"),
  clientId: z.string().min(1).max(256),
  clientSecret: secret,
  baseUrl: httpUrl.optional(),
  /** The form publishers' smart campaigns trigger on ("Fills out Form"): with it, leads enter through Submit Form. */
  formId: z.number().int().positive().max(2_147_483_647).optional(),
  topicSuffix,
  autoReplay,
  notifications,
});

export const AzureTableDestinationSchema = z.object({
  type: z.literal('azure-table'),
  // Checked by parseTableConnectionString (any order, any case); documented in its usual form.
  connectionString: z
    .string()
    .min(1)
    .max(4096)
    .meta({
      pattern:
        '^(?:UseDevelopmentStorage=true|DefaultEndpointsProtocol=https?;AccountName=[a-z0-9]{3,24};' +
        'AccountKey=(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)' +
        '(?:;EndpointSuffix=[A-Za-z0-9.-]+)?);?$',
      description: 'An Azure Storage connection string (AccountName and AccountKey; SAS is not supported)',
    }),
  tableName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be 3-63 letters or digits, starting with a letter')
    .optional(),
  topicSuffix,
  autoReplay,
  notifications,
});

export const HttpsDestinationSchema = z.object({
  type: z.literal('https'),
  // http is accepted by the schema for local receivers; the https sink refuses it unless the
  // operator allowed the address (loopback in the local stack).
  url: httpUrl,
  signingSecret: z.string().min(16, 'must be at least 16 characters').max(1024).optional(),
  topicSuffix,
  autoReplay,
  notifications,
});

export const DestinationSchema = z.discriminatedUnion('type', [
  DynamicsDestinationSchema,
  SalesforceDestinationSchema,
  MarketoDestinationSchema,
  AzureTableDestinationSchema,
  HttpsDestinationSchema,
]);
export type Destination = z.infer<typeof DestinationSchema>;
export type DestinationOf<T extends DestinationType> = Extract<Destination, { type: T }>;

/** Secret fields per type, as dotted paths: encrypted at rest, never echoed, never logged. */
export const SECRET_FIELDS: Readonly<Record<DestinationType, readonly string[]>> = {
  dynamics: ['auth.clientSecret', 'auth.password'],
  salesforce: ['clientSecret', 'password'],
  marketo: ['clientSecret'],
  'azure-table': ['connectionString'],
  https: ['signingSecret'],
};

export type ParseDestinationResult =
  | { readonly ok: true; readonly destination: Destination }
  | { readonly ok: false; readonly issues: FieldIssue[]; readonly errorClass?: 'ROUTER.DESTINATION_RETIRED' };

/** Validates a destination per type; a malformed connection string is refused here, not dead-lettered later. */
export function parseDestination(value: unknown): ParseDestinationResult {
  if (typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'azure-blob') {
    return {
      ok: false,
      errorClass: 'ROUTER.DESTINATION_RETIRED',
      issues: [
        { path: 'type', message: `azure-blob is retired. ${ERROR_CATALOG['ROUTER.DESTINATION_RETIRED'].remediation}` },
      ],
    };
  }
  const r = DestinationSchema.safeParse(value);
  if (!r.success) return { ok: false, issues: fromZodIssues(r.error.issues) };
  if (r.data.type === 'azure-table') {
    const cs = parseTableConnectionString(r.data.connectionString);
    if (!cs.ok) return { ok: false, issues: cs.issues };
  }
  return { ok: true, destination: r.data };
}

export interface TableConnection {
  readonly accountName: string;
  readonly accountKey: string;
  /** Table service URL, e.g. https://acct.table.core.windows.net or http://127.0.0.1:10002/devstoreaccount1. */
  readonly tableEndpoint: string;
}

const AZURITE_DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * Parses an Azure Storage connection string. The SDK throws a bare TypeError on garbage, so the
 * string is validated here, field by field, with issues under `connectionString`.
 */
export function parseTableConnectionString(cs: string): Result<TableConnection> {
  const path = 'connectionString';
  const parts = new Map<string, string>();
  for (const segment of cs
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const eq = segment.indexOf('=');
    // The segment itself is not echoed: it may be a pasted key.
    if (eq <= 0) return fail([{ path, message: 'is not a list of Key=Value pairs separated by ";"' }]);
    parts.set(segment.slice(0, eq).toLowerCase(), segment.slice(eq + 1));
  }
  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') {
    return ok({
      accountName: 'devstoreaccount1',
      accountKey: AZURITE_DEV_KEY,
      tableEndpoint: 'http://127.0.0.1:10002/devstoreaccount1',
    });
  }
  const issues: FieldIssue[] = [];
  const name = parts.get('accountname');
  const key = parts.get('accountkey');
  if (!name) issues.push({ path, message: 'AccountName is missing' });
  else if (!/^[a-z0-9]{3,24}$/.test(name) && name !== 'devstoreaccount1')
    issues.push({ path, message: 'AccountName must be 3-24 lower-case letters or digits' });
  if (!key) issues.push({ path, message: 'AccountKey is missing (shared access signatures are not supported)' });
  else if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0)
    issues.push({ path, message: 'AccountKey is not base64' });
  const protocol = (parts.get('defaultendpointsprotocol') ?? 'https').toLowerCase();
  if (protocol !== 'https' && protocol !== 'http')
    issues.push({ path, message: 'DefaultEndpointsProtocol must be https or http' });
  let endpoint = parts.get('tableendpoint');
  if (endpoint !== undefined) {
    try {
      const u = new URL(endpoint);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('protocol');
      endpoint = endpoint.replace(/\/+$/, '');
    } catch {
      issues.push({ path, message: 'TableEndpoint is not an http(s) URL' });
    }
  } else if (name) {
    const suffix = parts.get('endpointsuffix') ?? 'core.windows.net';
    if (!/^[A-Za-z0-9.-]+$/.test(suffix)) issues.push({ path, message: 'EndpointSuffix is not a host name suffix' });
    endpoint = `${protocol}://${name}.table.${suffix}`;
  }
  if (issues.length > 0 || !name || !key || !endpoint) return fail(issues);
  return ok({ accountName: name, accountKey: key, tableEndpoint: endpoint });
}

export const MASK = '***';

/** Masks a connection string's AccountKey (and any SharedAccessSignature), keeping what identifies the account. */
export function maskConnectionString(cs: string): string {
  return cs.replace(/(AccountKey|SharedAccessSignature)=[^;]*/gi, `$1=${MASK}`);
}

/** A destination as GET returns it: secret fields replaced by `***` (the connection string keeps all but its key). */
export function maskDestination<D extends { type: string }>(d: D): D {
  const copy = structuredClone(d) as Record<string, unknown> & D;
  for (const dotted of SECRET_FIELDS[d.type as DestinationType] ?? []) {
    const keys = dotted.split('.');
    let node: Record<string, unknown> | undefined = copy;
    for (const k of keys.slice(0, -1))
      node = typeof node?.[k] === 'object' && node[k] !== null ? (node[k] as Record<string, unknown>) : undefined;
    const last = keys[keys.length - 1];
    if (!node || last === undefined || node[last] === undefined) continue;
    node[last] =
      last === 'connectionString' && typeof node[last] === 'string' ? maskConnectionString(node[last]) : MASK;
  }
  return copy;
}

/** A secret field at rest: AES-256-GCM under the key `kid`, with the offer id as additional data. */
export interface EncryptedSecret {
  readonly kid: string;
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

/** A destination as stored on `offers.destinations`: its secret fields are EncryptedSecrets. */
export type SealedDestination = { readonly type: string } & Record<string, unknown>;

/** The value of an `offers.destinations` record (key: offerId; tombstone: removed). */
export interface OfferDestinationRecord {
  readonly offerId: string;
  /** Increases by one with every change; sinks' circuit breakers and dead letters name it. */
  readonly version: number;
  readonly destination: SealedDestination;
  readonly updatedAt: string;
}

/** {@link EncryptedSecret} as a schema (the AsyncAPI document's sealed secret). */
export const EncryptedSecretSchema = z
  .object({
    kid: z.string().min(1).describe('The key of LEADFLOW_SECRET_KEYS it is sealed under'),
    iv: z.string().describe('base64'),
    tag: z.string().describe('base64 GCM tag'),
    data: z.string().describe('base64 ciphertext'),
  })
  .describe('A secret field sealed with AES-256-GCM, the offer id as additional authenticated data');

/** {@link OfferDestinationRecord} as a schema: the envelope, as `decodeOfferRecord` (libs/offer-table) checks it. */
export const OfferDestinationRecordSchema = z
  .object({
    offerId: OfferIdSchema.describe('Equal to the record key'),
    version: z.int().min(1).describe('Grows by one with every save; dead letters and the circuit name it'),
    destination: z.looseObject({ type: z.string().describe(`One of ${DESTINATION_TYPES.join(', ')}`) }).describe(
      `The destination as docs/destinations.md describes it, its secret fields sealed: ${Object.entries(SECRET_FIELDS)
        .map(([type, fields]) => `${type}: ${fields.join(', ')}`)
        .join('; ')}`,
    ),
    updatedAt: z.iso.datetime({ offset: true }),
  })
  .describe("An offer's destination (latest record per offer wins; a tombstone removes it)");
