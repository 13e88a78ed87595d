import { formatLeadSource, type Lead } from '@leadflow/lead-model';

/**
 * Sync Leads takes at most 300 records per call, and Marketo answers 413 to a body over 1 MB ("Leads";
 * "Error Codes", https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/error-codes).
 * The byte cap keeps room for the envelope.
 */
export const SYNC_LEADS_MAX_RECORDS = 300;
export const MAX_BODY_BYTES = 1_000_000;

/** Lead fields under their Marketo REST API names (`firstName`, `lastName`, `email`, ...). */
export type MarketoFields = Readonly<Record<string, string>>;

/**
 * The customer's fields a Marketo lead (and a form) holds. Empty or absent values are left out, so an upsert never
 * blanks a value Marketo already holds for that person.
 */
export function customerFields(lead: Lead): MarketoFields {
  const c = lead.customer;
  const fields: Record<string, string | undefined> = {
    email: c.email,
    firstName: c.firstName,
    lastName: c.lastName,
    company: c.company,
    phone: c.phone,
    title: c.title,
    country: c.country,
  };
  return Object.fromEntries(
    Object.entries(fields).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
  );
}

/** A Sync Leads record: the customer plus `leadSource` as the marketplace writes it (`Source-Action|Offer`). */
export function syncLeadRecord(lead: Lead): MarketoFields {
  return {
    ...customerFields(lead),
    leadSource: formatLeadSource({ source: lead.source, action: lead.action, offer: lead.offerId }),
  };
}

/** Sync Leads (`POST /rest/v1/leads.json`): upsert keyed on e-mail, so a replayed lead updates the same person. */
export function syncLeadsBody(records: readonly MarketoFields[]): unknown {
  return { action: 'createOrUpdate', lookupField: 'email', input: records };
}

/**
 * Submit Form (`POST /rest/v1/leads/submitForm.json`): one record per call, every field must be on the form
 * ("Leads", Submit Form). It upserts the person on e-mail and records a "Fills out Form" activity, which is
 * what publishers' smart campaigns trigger on.
 */
export function submitFormBody(formId: number, lead: Lead): unknown {
  return { formId, input: [{ leadFormFields: customerFields(lead) }] };
}

/** Splits items into runs of at most `maxItems` whose JSON (as measured by `size`) stays under `maxBytes`. */
export function chunk<T>(
  items: readonly T[],
  size: (item: T) => number,
  maxItems = SYNC_LEADS_MAX_RECORDS,
  maxBytes = MAX_BODY_BYTES,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item) + 1;
    if (current.length > 0 && (current.length >= maxItems || bytes + n > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Bytes of a record in a JSON body. */
export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));
