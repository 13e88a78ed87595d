/** Keys that hold a person's name, e-mail or phone in any of the three input shapes (compared without case). */
const PII_KEYS = new Set(['firstname', 'lastname', 'first_name', 'last_name', 'email', 'phone']);

function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return maskText(email);
  return `${email[0]}***${email.slice(at)}`;
}

function maskText(text: string): string {
  return text.length === 0 ? '' : `${text[0]}***`;
}

/**
 * A copy of a lead body (any input shape) with names, e-mail and phone masked: enough left to tell leads
 * apart (first letter, e-mail domain), not enough to identify a person. Other fields are kept.
 */
export function maskPii(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskPii);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = k.toLowerCase();
    if (PII_KEYS.has(key) && typeof v === 'string') out[k] = key === 'email' ? maskEmail(v) : maskText(v);
    else if (PII_KEYS.has(key) && v !== null && v !== undefined && typeof v !== 'object') out[k] = '***';
    else out[k] = maskPii(v);
  }
  return out;
}
