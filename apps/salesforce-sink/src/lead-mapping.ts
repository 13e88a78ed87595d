import { formatLeadSource, type Lead } from '@leadflow/lead-model';

/**
 * What Salesforce puts in a required Lead field that is left blank by Web-to-Lead ("[not provided]"); the API
 * mode does the same so that a lead without a company (or with its names suppressed by the .edu rule) is still
 * created rather than refused for LastName or Company, the Lead's universally required fields.
 */
export const NOT_PROVIDED = '[not provided]';

/** Lengths of the standard Lead fields (Lead, Object Reference for Salesforce): longer values are refused. */
const MAX_LENGTH = { FirstName: 40, LastName: 80, Company: 255, Title: 128, Phone: 40, Country: 80 } as const;

const cut = (value: string | undefined, max: number): string | undefined => {
  const v = value?.trim();
  return v ? v.slice(0, max) : undefined;
};

/** The marketplace's `Source-Action|Offer` text, as it posts it into Lead Source. */
export const leadSourceOf = (lead: Lead): string =>
  formatLeadSource({ source: lead.source, action: lead.action, offer: lead.offerId });

/**
 * The Web-to-Lead form the marketplace posts: standard Web-to-Lead field names, `lead_source` as
 * `Source-Action|Offer`, `encoding=UTF-8` (the published test lead shows exactly these fields).
 */
export function toWebToLeadForm(lead: Lead, orgId: string): URLSearchParams {
  const c = lead.customer;
  const form = new URLSearchParams();
  const put = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== '') form.append(name, value);
  };
  form.append('oid', orgId);
  put('first_name', c.firstName);
  put('last_name', c.lastName);
  put('email', c.email);
  put('company', c.company);
  put('phone', c.phone);
  put('title', c.title);
  put('country', c.country);
  put('description', lead.description);
  form.append('lead_source', leadSourceOf(lead));
  form.append('encoding', 'UTF-8');
  return form;
}

export type LeadRecord = Record<string, string>;

/**
 * The Lead sObject the API mode writes. With an external-id field the lead id goes into it, so a repeat is an
 * upsert of the same record rather than a second lead.
 */
export function toLeadRecord(lead: Lead, externalIdField?: string): LeadRecord {
  const c = lead.customer;
  const record: Record<string, string | undefined> = {
    FirstName: cut(c.firstName, MAX_LENGTH.FirstName),
    LastName: cut(c.lastName, MAX_LENGTH.LastName) ?? NOT_PROVIDED,
    Email: c.email.trim() || undefined,
    Company: cut(c.company, MAX_LENGTH.Company) ?? NOT_PROVIDED,
    Phone: cut(c.phone, MAX_LENGTH.Phone),
    Title: cut(c.title, MAX_LENGTH.Title),
    Country: cut(c.country, MAX_LENGTH.Country),
    Description: lead.description?.trim() || undefined,
    LeadSource: leadSourceOf(lead),
  };
  if (externalIdField) record[externalIdField] = lead.leadId;
  return Object.fromEntries(Object.entries(record).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The lead's personal values (names, e-mail, phone), to scrub from anything Salesforce echoes back. */
export function personalValues(lead: Lead): string[] {
  const c = lead.customer;
  return [c.firstName, c.lastName, c.email, c.phone ?? ''].map((v) => v.trim()).filter((v) => v.length >= 2);
}
