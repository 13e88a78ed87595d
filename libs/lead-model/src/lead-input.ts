import { z } from 'zod';
import { LEAD_ID_PATTERN, LIMITS, OFFER_ID_PATTERN } from './lead';
import { LEAD_ACTIONS, parseLeadSource, SOURCE_NAMES, unknownActionMessage, unknownSourceMessage } from './lead-source';
import { TEST_LEAD_PREFIX } from './test-lead';

/**
 * The three input shapes as zod schemas: what `parseLeadInput` validates a request body against before
 * it reads any field, and what the ingest's OpenAPI document is generated from. Every rule is a type,
 * a length, a required property or a pattern, so that the JSON Schema says exactly what is accepted.
 * Patterns spell out their character classes (no `\s`, `\d`): the document is read by tools whose regex
 * dialect differs from JavaScript's there.
 */

/** What `String.prototype.trim` removes (ECMAScript WhiteSpace and LineTerminator), as a class body. */
const WS_CHARS = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
const WS = `[${WS_CHARS}]*`;

/** A literal, case-insensitively (`[Aa][Zz]…`), for names that are matched ignoring case. */
function anyCase(text: string): string {
  return [...text]
    .map((c) =>
      /[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
    )
    .join('');
}
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

const SOURCE = `(?:${SOURCE_NAMES.map(anyCase).join('|')})`;
const ACTION = `(?:${LEAD_ACTIONS.map(anyCase).join('|')})`;
const MARKER = anyCase(TEST_LEAD_PREFIX);
const OFFER_ID = OFFER_ID_PATTERN.source.replace(/^\^|\$$/g, '');
/** `Source-Action` (each part trimmed, any case), or the marketplace's test marker (`MSFT_TEST_…-MSFT_TEST_…`). */
const HEAD = `(?:${WS}${SOURCE}${WS}(?:-${WS}${ACTION}${WS})?|[^|]*${MARKER}[^|]*)`;

/** Where the lead's offer comes from: the body (`POST /v1/leads`) or the URL (`/v1/offers/{offerId}/leads`). */
export type OfferSource =
  | { readonly from: 'body' }
  /** `offerId` absent: any URL (the document); present: that offer (validation of one request). */
  | { readonly from: 'url'; readonly offerId?: string };

/** The issue of a lead that names no offer, with the offer expected in the body (callers may retry with one). */
export const OFFER_REQUIRED = 'is required: name the offer in the body or the URL';

function mismatch(offerId: string | undefined, input: unknown): string {
  return `'${String(input)}' does not match the offer '${offerId ?? '(URL)'}' of the URL`;
}

/**
 * `Source-Action|Offer`. With the offer in the body the `|offer` part is required and is an offer id;
 * with the offer in the URL it is optional and is either that offer or an offer title (never another id).
 */
function sourceField(offer: OfferSource, field: string) {
  const pattern =
    offer.from === 'body'
      ? `^${HEAD}\\|${WS}${OFFER_ID}${WS}$`
      : `^${HEAD}(?:${offer.offerId === undefined ? '' : `\\|${WS}${escapeRegex(offer.offerId)}${WS}|`}\\|(?!${WS}${OFFER_ID}${WS}$)[\\s\\S]*)?$`;
  return z
    .string({ error: (iss) => (iss.input === undefined ? "is required ('Source-Action|Offer')" : 'must be a string') })
    .max(LIMITS.text)
    .regex(new RegExp(pattern), {
      error: (iss) => {
        const value = String(iss.input);
        const parsed = parseLeadSource(value, field);
        if (!parsed.ok) return parsed.issues.map((i) => i.message).join('; ');
        if (parsed.value.offer !== undefined && OFFER_ID_PATTERN.test(parsed.value.offer)) {
          return offer.from === 'url'
            ? mismatch(offer.offerId, parsed.value.offer)
            : 'must end in |publisherid.offerid';
        }
        return offer.from === 'body' ? OFFER_REQUIRED : "must be 'Source-Action' or 'Source-Action|Offer'";
      },
    })
    .describe(
      offer.from === 'body'
        ? "'Source-Action|publisherid.offerid', e.g. 'AzureMarketplace-INS|contoso.crm' (names in any case)"
        : "'Source', 'Source-Action' or 'Source-Action|Offer title' (names in any case); the offer is the URL's",
    );
}

const str = (max: number = LIMITS.text) =>
  z.string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') }).max(max);

const email = str()
  .regex(new RegExp(`^${WS}[^@${WS_CHARS}]+@[^@${WS_CHARS}]+\\.[^@${WS_CHARS}]+${WS}$`), 'must be an e-mail address')
  .describe('The customer e-mail address (required: leads without one are refused)');

const leadId = z
  .string()
  .min(1)
  .max(LIMITS.id)
  .regex(LEAD_ID_PATTERN, "must be letters, digits, '.', '_', ':' or '-'")
  .describe("The producer's own lead id (kept; else one is derived from the Idempotency-Key, else a new UUIDv7)");

const source = z
  .string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') })
  .regex(new RegExp(`^${WS}${SOURCE}${WS}$`), { error: (iss) => unknownSourceMessage(String(iss.input)) })
  .describe('AzureMarketplace, AzurePortal, TestDrive or AppSource (any case; SPZA is AppSource)');

const action = z
  .string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') })
  .regex(new RegExp(`^${WS}${ACTION}${WS}$`), { error: (iss) => unknownActionMessage(String(iss.input)) })
  .describe('INS, PLT, DNC, Create or StartTestDrive (any case)');

function canonical(offer: OfferSource) {
  const offerId =
    offer.from === 'body'
      ? {
          offerId: z
            .string({
              error: (iss) => (iss.input === undefined ? OFFER_REQUIRED : 'must be a string'),
            })
            .max(LIMITS.offerId)
            .regex(OFFER_ID_PATTERN, "must be 'publisherid.offerid' (letters, digits, '-', '_', one '.' at least)"),
        }
      : offer.offerId !== undefined
        ? { offerId: z.literal(offer.offerId, { error: (iss) => mismatch(offer.offerId, iss.input) }).optional() }
        : {};
  return z
    .object({
      leadId: leadId.optional(),
      ...offerId,
      source,
      action,
      offerTitle: str().optional(),
      customer: z.object(
        {
          firstName: str(),
          lastName: str(),
          email,
          phone: str().optional(),
          country: str().optional(),
          company: str().optional(),
          title: str().optional(),
        },
        { error: (iss) => (iss.input === undefined ? 'is required' : 'must be an object') },
      ),
      description: str(LIMITS.description).optional(),
      occurredAt: z.iso.datetime({ offset: true }).optional().describe('When the customer acted (default: now)'),
      isTest: z.boolean().optional(),
      piiSuppressed: z.boolean().optional().describe('Ignored on input: ingest decides (.edu customers)'),
    })
    .describe(
      offer.from === 'body'
        ? 'The canonical lead (unknown properties are ignored)'
        : "The canonical lead; offerId may be omitted (the URL's offer) and must not name another offer",
    );
}

function marketplace(offer: OfferSource) {
  return z
    .object({
      UserDetails: z.object(
        {
          FirstName: str().optional(),
          LastName: str().optional(),
          Email: email,
          Phone: str().optional(),
          Country: str().optional(),
          Company: str().optional(),
          Title: str().optional(),
        },
        { error: (iss) => (iss.input === undefined ? 'is required' : 'must be an object') },
      ),
      LeadSource: sourceField(offer, 'LeadSource'),
      ActionCode: z
        .string()
        .regex(new RegExp(`^(?:${WS}${ACTION}${WS}|[\\s\\S]*${MARKER}[\\s\\S]*)$`), {
          error: (iss) => unknownActionMessage(String(iss.input)),
        })
        .optional(),
      OfferTitle: str().optional(),
      Description: str(LIMITS.description).optional(),
      LeadId: leadId.optional(),
    })
    .describe("The marketplace's HTTPS-endpoint body (property names in any case; unknown ones are ignored)");
}

function legacy(offer: OfferSource) {
  return z
    .object({
      first_name: str().optional(),
      last_name: str().optional(),
      email,
      company: str().optional(),
      phone: str().optional(),
      title: str().optional(),
      country: str().optional(),
      description: str(LIMITS.description).optional(),
      lead_id: leadId.optional(),
      lead_source: sourceField(offer, 'lead_source'),
    })
    .describe('The legacy flat Web-to-Lead form (unknown properties are ignored)');
}

/** The input schemas of the three shapes, for an offer taken from the body or from the URL. */
export function leadInputSchemas(offer: OfferSource) {
  return { canonical: canonical(offer), marketplace: marketplace(offer), legacy: legacy(offer) };
}

type InputSchemas = ReturnType<typeof leadInputSchemas>;

/**
 * Building a schema compiles its patterns and zod's parsers: measured at ingest, most of a request's CPU when done per
 * request. The body-offer schemas are built once; those of an offer URL are kept per offer (the most recent 1,000).
 */
const MAX_URL_OFFERS = 1_000;
let bodySchemas: InputSchemas | undefined;
const urlSchemas = new Map<string, InputSchemas>();

export function inputSchemasFor(urlOfferId: string | undefined): InputSchemas {
  if (urlOfferId === undefined) return (bodySchemas ??= leadInputSchemas({ from: 'body' }));
  let schemas = urlSchemas.get(urlOfferId);
  if (schemas) {
    urlSchemas.delete(urlOfferId);
  } else {
    schemas = leadInputSchemas({ from: 'url', offerId: urlOfferId });
    if (urlSchemas.size >= MAX_URL_OFFERS) urlSchemas.delete(urlSchemas.keys().next().value as string);
  }
  urlSchemas.set(urlOfferId, schemas);
  return schemas;
}

/** Property names of the marketplace body and its UserDetails, which are matched ignoring case. */
export const MARKETPLACE_NAMES = {
  body: ['UserDetails', 'LeadSource', 'ActionCode', 'OfferTitle', 'Description', 'LeadId'],
  userDetails: ['FirstName', 'LastName', 'Email', 'Phone', 'Country', 'Company', 'Title'],
} as const;
