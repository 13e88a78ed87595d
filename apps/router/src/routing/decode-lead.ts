import { parseLead, type Lead } from '@leadflow/lead-model';

/** A record of `leads.ingested`, read as a lead or as the reason it is not one. */
export type LeadParse = { readonly ok: true; readonly lead: Lead } | { readonly ok: false; readonly reason: string };

/** Longest reason kept: a record with hundreds of bad fields must not make a huge dead-letter header. */
const MAX_REASON = 500;

/**
 * Reads a record value as a lead. The reason of a failure names fields and rules only, never values
 * (values are customer data), so it can go into logs and dead-letter headers.
 */
export function decodeLead(value: Buffer | null): LeadParse {
  if (value === null || value.length === 0) return { ok: false, reason: 'the record has no value' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'the value is not JSON' };
  }
  const parsed = parseLead(json);
  if (parsed.ok) return { ok: true, lead: parsed.value };
  const reason = `not a valid lead: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
  return { ok: false, reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason };
}
