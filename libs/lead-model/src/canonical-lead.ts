import { z } from 'zod';
import { EMAIL_PATTERN, LEAD_ID_PATTERN, LIMITS, OFFER_ID_PATTERN, type Customer, type Lead } from './lead';
import { LEAD_ACTIONS, LEAD_SOURCES } from './lead-source';
import type { ParseContext } from './parse-input';
import { isTestLead } from './test-lead';

/*
 * The plainly valid canonical lead, checked field by field without zod's generic walk: at a batch of 500 leads the
 * walk (the input schema, then the lead schema) was most of ingest's own CPU per lead. It only ever ACCEPTS: anything
 * it does not recognise as valid in the common form (a name in another case, an unknown property, a value of another
 * type, a length past a limit, an offer from the URL) is left to the schemas, so every refusal and every
 * problem answer is still theirs. What it accepts, it returns exactly as the schemas would (canonical-lead.spec.ts
 * runs both over valid and invalid samples and compares the leads, key order included).
 */

/** The properties of the canonical input; any other sends the lead the long way. */
export const CANONICAL_LEAD_KEYS: ReadonlySet<string> = new Set([
  'leadId',
  'offerId',
  'source',
  'action',
  'offerTitle',
  'customer',
  'description',
  'occurredAt',
  'isTest',
  'piiSuppressed',
]);
export const CANONICAL_CUSTOMER_KEYS: ReadonlySet<string> = new Set([
  'firstName',
  'lastName',
  'email',
  'phone',
  'country',
  'company',
  'title',
]);
/** The canonical spellings only: other accepted names (any case, SPZA, padded) are normalised by the long way. */
const SOURCES: ReadonlySet<unknown> = new Set(LEAD_SOURCES);
const ACTIONS: ReadonlySet<unknown> = new Set(LEAD_ACTIONS);
/** The pattern of the lead schema's `z.iso.datetime({ offset: true })`. */
const DATETIME = z.regexes.datetime({ offset: true });

type Obj = Record<string, unknown>;

/** An object as JSON.parse makes it (not an array, not a class instance), with only the given property names. */
function plainWith(value: unknown, keys: ReadonlySet<string>): value is Obj {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) if (!keys.has(key)) return false;
  return true;
}

/** A string within the limit, or absent. */
const optionalText = (v: unknown, max: number): boolean =>
  v === undefined || (typeof v === 'string' && v.length <= max);
const isLeadId = (v: unknown): v is string =>
  typeof v === 'string' && v.length >= 1 && v.length <= LIMITS.id && LEAD_ID_PATTERN.test(v);

/** The lead parseLeadInput's schemas would make of `input`, if it is a plainly valid canonical lead; else undefined. */
export function plainCanonicalLead(input: unknown, ctx: ParseContext): Lead | undefined {
  if (ctx.offerId !== undefined || !plainWith(input, CANONICAL_LEAD_KEYS)) return undefined;
  const { leadId, offerId, source, action, offerTitle, customer, description, occurredAt, isTest, piiSuppressed } =
    input;
  if (leadId !== undefined && !isLeadId(leadId)) return undefined;
  if (typeof offerId !== 'string' || offerId.length > LIMITS.offerId || !OFFER_ID_PATTERN.test(offerId))
    return undefined;
  if (!SOURCES.has(source) || !ACTIONS.has(action)) return undefined;
  if (!optionalText(offerTitle, LIMITS.text) || !optionalText(description, LIMITS.description)) return undefined;
  if (occurredAt !== undefined && (typeof occurredAt !== 'string' || !DATETIME.test(occurredAt))) return undefined;
  if (
    (isTest !== undefined && typeof isTest !== 'boolean') ||
    (piiSuppressed !== undefined && typeof piiSuppressed !== 'boolean')
  )
    return undefined;
  if (!plainWith(customer, CANONICAL_CUSTOMER_KEYS)) return undefined;
  const { firstName, lastName, email, phone, country, company, title } = customer;
  if (typeof firstName !== 'string' || firstName.length > LIMITS.text) return undefined;
  if (typeof lastName !== 'string' || lastName.length > LIMITS.text) return undefined;
  if (typeof email !== 'string' || email.length > LIMITS.text) return undefined;
  // The input schema's pattern allows white space around the address, which the lead schema trims: one test.
  const trimmedEmail = email.trim();
  if (!EMAIL_PATTERN.test(trimmedEmail)) return undefined;
  if (!optionalText(phone, LIMITS.text) || !optionalText(country, LIMITS.text)) return undefined;
  if (!optionalText(company, LIMITS.text) || !optionalText(title, LIMITS.text)) return undefined;
  const id = ctx.leadId ?? leadId ?? ctx.newLeadId();
  if (!isLeadId(id)) return undefined;

  // The schemas' output: their key order, text trimmed (the description is not), absent optionals left out.
  const c: Customer = { firstName: firstName.trim(), lastName: lastName.trim(), email: trimmedEmail };
  if (phone !== undefined) c.phone = (phone as string).trim();
  if (country !== undefined) c.country = (country as string).trim();
  if (company !== undefined) c.company = (company as string).trim();
  if (title !== undefined) c.title = (title as string).trim();
  const lead: Record<string, unknown> = { leadId: id, offerId, source, action };
  if (offerTitle !== undefined) lead['offerTitle'] = (offerTitle as string).trim();
  lead['customer'] = c;
  if (description !== undefined) lead['description'] = description;
  lead['occurredAt'] = occurredAt ?? ctx.now.toISOString();
  lead['isTest'] = isTest === true || isTestLead({ customer: { firstName, lastName, email } });
  lead['piiSuppressed'] = false;
  return lead as Lead;
}
