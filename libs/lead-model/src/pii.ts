import type { Lead } from './lead';

/** The customer's e-mail domain is `.edu` (any subdomain, any case). */
export function isEduEmail(email: string | undefined): boolean {
  if (!email) return false;
  const at = email.trim().lastIndexOf('@');
  if (at === -1) return false;
  const domain = email
    .trim()
    .slice(at + 1)
    .toLowerCase()
    .replace(/\.$/, '');
  return domain === 'edu' || domain.endsWith('.edu');
}

/**
 * The marketplace's privacy rule: for a `.edu` customer, names, e-mail and phone are removed before the
 * lead goes anywhere (ingest applies it, so the PII never enters Kafka). Company, country and title stay.
 */
export function suppressEduPii(lead: Lead): Lead {
  if (lead.piiSuppressed || !isEduEmail(lead.customer.email)) return lead;
  const { phone: _phone, ...rest } = lead.customer;
  return { ...lead, customer: { ...rest, firstName: '', lastName: '', email: '' }, piiSuppressed: true };
}
