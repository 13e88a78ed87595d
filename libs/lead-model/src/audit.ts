import { z } from 'zod';

/**
 * The audit trail (`leads.audit`): who changed an offer's configuration, who replayed dead letters, who saw personal
 * data unmasked. Records name fields and counts, never a value: no secret and no lead's personal data is ever in one.
 */
export const AUDIT_ACTIONS = [
  'offer.destination.put',
  'offer.destination.delete',
  'deadletters.replay',
  'pii.reveal',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** A replay's or reveal's selection, as plain JSON (ISO times, lists). */
const FilterSchema = z.record(z.string(), z.union([z.string(), z.array(z.string()), z.number()]));

export const AuditRecordSchema = z.object({
  /** Unique per record (a retried write may repeat a record; readers drop repeats by id). */
  id: z.string().min(1),
  at: z.iso.datetime({ offset: true }),
  /** The caller: `<tid>/<oid>` or `sub:<sub>` of a JWT, `static:<id>` of a static token, `user@host` in leadctl. */
  actor: z.string().min(1).max(300),
  action: z.enum(AUDIT_ACTIONS),
  /** The offer changed (configuration); replays and reveals name theirs in the filter. */
  offerId: z.string().optional(),
  change: z
    .object({
      /** null: the offer had no destination. */
      fromVersion: z.number().int().nullable(),
      /** null: removed. */
      toVersion: z.number().int().nullable(),
      /** Dotted paths of the destination fields that differ, e.g. `auth.clientSecret`: names only. */
      fields: z.array(z.string()),
    })
    .optional(),
  replay: z.object({ filter: FilterSchema, count: z.number().int().min(0), auto: z.boolean() }).optional(),
  reveal: z.object({ command: z.string(), filter: FilterSchema, count: z.number().int().min(0) }).optional(),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

function flatten(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.set(prefix, '{}');
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  out.set(prefix || '(root)', JSON.stringify(value));
}

/**
 * The dotted paths whose values differ between two destinations (added, removed or changed), sorted. Only the
 * paths leave this function: a changed secret shows up as its field's name.
 */
export function changedFields(before: unknown, after: unknown): string[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  if (before !== undefined) flatten(before, '', a);
  if (after !== undefined) flatten(after, '', b);
  const paths = new Set([...a.keys(), ...b.keys()]);
  return [...paths].filter((p) => a.get(p) !== b.get(p)).sort();
}
