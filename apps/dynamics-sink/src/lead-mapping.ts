import { createHash } from 'node:crypto';
import { formatLeadSource, type Lead } from '@leadflow/lead-model';

/**
 * Maximum lengths of the Dataverse lead columns leadflow writes (Power Apps lead table/entity reference,
 * https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/lead). Longer values are
 * shortened here: Dataverse refuses the whole record otherwise.
 */
export const LEAD_COLUMN_LIMITS = {
  subject: 300,
  firstname: 50,
  lastname: 50,
  telephone1: 50,
  companyname: 100,
  jobtitle: 100,
  address1_country: 80,
  description: 2000,
} as const;

/** The body of `POST /api/data/v9.2/leads`. */
export interface DataverseLead {
  readonly leadid: string;
  readonly subject: string;
  readonly firstname?: string;
  readonly lastname?: string;
  readonly emailaddress1?: string;
  readonly telephone1?: string;
  readonly companyname?: string;
  readonly jobtitle?: string;
  readonly address1_country?: string;
  readonly description: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Namespace of the name-based (v5) lead ids made from lead ids that are not GUIDs. */
const LEADID_NAMESPACE = 'b1f3c0a2-6d2e-4f0e-9c55-7a1d3e8b2f40';

/** RFC 9562 §5.5: a name-based UUID (SHA-1), the same for the same name every time. */
function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The Dataverse `leadid` of a lead: its own id when that is a GUID (ingest assigns UUIDv7s), else a v5 UUID of
 * it. Either way a repeat of the same lead carries the same `leadid`, which makes the create idempotent.
 */
export function dataverseLeadId(leadId: string): string {
  return GUID.test(leadId) ? leadId.toLowerCase() : uuidV5(leadId, LEADID_NAMESPACE);
}

function cut(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

/** Only non-empty values are sent (PII-suppressed leads carry empty names and e-mail). */
function optional<K extends string>(key: K, value: string | undefined, max?: number): { [P in K]?: string } {
  const v = value?.trim();
  if (!v) return {};
  return { [key]: max === undefined ? v : cut(v, max) } as { [P in K]?: string };
}

/** A lead as a Dataverse lead record (README.md: field mapping). Pure. */
export function toDataverseLead(lead: Lead): DataverseLead {
  const c = lead.customer;
  const L = LEAD_COLUMN_LIMITS;
  const source = formatLeadSource({ source: lead.source, action: lead.action, offer: lead.offerId });
  const room = L.description - source.length - 2;
  const text = lead.description?.trim();
  return {
    leadid: dataverseLeadId(lead.leadId),
    subject: cut(`${lead.offerTitle?.trim() || lead.offerId} - ${lead.action}`, L.subject),
    ...optional('firstname', c.firstName, L.firstname),
    ...optional('lastname', c.lastName, L.lastname),
    // An e-mail address is never shortened: a cut address would be a wrong one.
    ...optional('emailaddress1', c.email),
    ...optional('telephone1', c.phone, L.telephone1),
    ...optional('companyname', c.company, L.companyname),
    ...optional('jobtitle', c.title, L.jobtitle),
    ...optional('address1_country', c.country, L.address1_country),
    description: text ? `${cut(text, room)}\n\n${source}` : source,
  };
}
