import { z } from 'zod';
import { LEAD_ACTIONS, LEAD_SOURCES } from './lead-source';
import { fail, fromZodIssues, ok, type Result } from './result';

/** Caps keep a lead small enough for every destination (Table storage: 64 KiB per string property). */
export const LIMITS = { text: 256, description: 4000, id: 128, offerId: 256 } as const;

/** `publisherid.offerid`, e.g. `contoso.crm-connector`, `docusign.3701c77e-1cfa-4c56-91e6-3ed0b622145a`. */
export const OFFER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*\.[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Producer-supplied ids are used as Table RowKeys and CRM external ids: keep them plain. */
export const LEAD_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

const text = z.string().trim().max(LIMITS.text);

export const OfferIdSchema = z
  .string()
  .max(LIMITS.offerId)
  .regex(OFFER_ID_PATTERN, "must be 'publisherid.offerid' (letters, digits, '-', '_', one '.' at least)");

export const LeadIdSchema = z
  .string()
  .min(1)
  .max(LIMITS.id)
  .regex(LEAD_ID_PATTERN, "must be letters, digits, '.', '_', ':' or '-'");

/** A (trimmed) e-mail address: something, `@`, something with a dot; no spaces. */
export const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * The customer. Names and e-mail are empty strings when the lead's PII was suppressed at ingest
 * (`.edu` rule); otherwise the e-mail is required. The lead schema enforces that pairing.
 */
/** An address, or empty (suppressed PII): the format is checked even when other fields fail. */
const email = text.refine((v) => v === '' || EMAIL_PATTERN.test(v), 'must be an e-mail address');

export const CustomerSchema = z.object({
  firstName: text,
  lastName: text,
  email,
  phone: text.optional(),
  country: text.optional(),
  company: text.optional(),
  title: text.optional(),
});
export type Customer = z.infer<typeof CustomerSchema>;

export const LeadSchema = z
  .object({
    leadId: LeadIdSchema,
    offerId: OfferIdSchema,
    source: z.enum(LEAD_SOURCES),
    action: z.enum(LEAD_ACTIONS),
    offerTitle: text.optional(),
    customer: CustomerSchema,
    description: z.string().max(LIMITS.description).optional(),
    occurredAt: z.iso.datetime({ offset: true }),
    isTest: z.boolean(),
    piiSuppressed: z.boolean(),
  })
  .superRefine((lead, ctx) => {
    if (lead.piiSuppressed) {
      for (const field of ['firstName', 'lastName', 'email', 'phone'] as const) {
        if (lead.customer[field])
          ctx.addIssue({
            code: 'custom',
            path: ['customer', field],
            message: 'must be empty when piiSuppressed is true',
          });
      }
    } else if (lead.customer.email === '') {
      ctx.addIssue({ code: 'custom', path: ['customer', 'email'], message: 'is required' });
    }
  });

/** The canonical lead (docs/kafka.md): the value of every lead record on every topic. */
export type Lead = z.infer<typeof LeadSchema>;

/** Strict parse of a canonical lead (what the router and sinks read from a record). */
export function parseLead(value: unknown): Result<Lead> {
  const r = LeadSchema.safeParse(value);
  return r.success ? ok(r.data) : fail(fromZodIssues(r.error.issues));
}

/** Parses a record value (UTF-8 JSON bytes) into a lead; anything else is a field issue, never a throw. */
export function parseLeadBytes(bytes: Buffer | string | null | undefined): Result<Lead> {
  if (bytes === null || bytes === undefined) return fail([{ path: '(root)', message: 'record has no value' }]);
  let json: unknown;
  try {
    json = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch {
    return fail([{ path: '(root)', message: 'record value is not JSON' }]);
  }
  return parseLead(json);
}

/** The customer as the marketplace writes it: the HTTPS-endpoint body's `UserDetails`, Azure Table's `CustomerInfo`. */
export interface MarketplaceUserDetails {
  readonly FirstName: string;
  readonly LastName: string;
  readonly Email: string;
  readonly Phone: string;
  readonly Country: string;
  readonly Company: string;
  readonly Title: string;
}

/** Every property present ('' when unknown), as the marketplace sends them. */
export function marketplaceUserDetails(c: Customer): MarketplaceUserDetails {
  return {
    FirstName: c.firstName,
    LastName: c.lastName,
    Email: c.email,
    Phone: c.phone ?? '',
    Country: c.country ?? '',
    Company: c.company ?? '',
    Title: c.title ?? '',
  };
}
