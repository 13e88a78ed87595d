/**
 * Removes secrets, tokens and personal data from what a service said, before it goes into a dead letter or a log
 * line. Entra echoes user names (AADSTS50034) and Dataverse plug-ins often quote the record they refuse.
 */
export type Scrub = (text: string) => string;

const PATTERNS: readonly (readonly [RegExp, string])[] = [
  // JWTs (access and id tokens).
  [/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '<token>'],
  [/\bBearer\s+[^\s,;]+/gi, 'Bearer <token>'],
  [/\b(client_secret|password|access_token|refresh_token|id_token|assertion)=[^&\s]+/gi, '$1=***'],
  // E-mail addresses and user principal names.
  [/[^\s@<>()[\]'",;:]+@[^\s@<>()[\]'",;:]+\.[A-Za-z]{2,}/g, '<email>'],
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A scrubber for known values (the destination's secrets, the lead's names, e-mail and phone) on top of the
 * patterns every message gets. Values shorter than three characters are left alone: they would blank out
 * ordinary words.
 */
export function scrubber(values: readonly (string | undefined)[]): Scrub {
  const known = [...new Set(values.map((v) => v?.trim() ?? '').filter((v) => v.length >= 3))].sort(
    (a, b) => b.length - a.length,
  );
  const byValue = known.length > 0 ? new RegExp(known.map(escape).join('|'), 'gi') : undefined;
  return (text) => {
    let out = byValue ? text.replace(byValue, '***') : text;
    for (const [re, to] of PATTERNS) out = out.replace(re, to);
    return out;
  };
}

/** The patterns alone (for text that is not tied to a lead or destination). */
export const scrubPatterns: Scrub = scrubber([]);
