import type { DeadLetterFilter } from '@leadflow/dead-letters';

/** A dead-letter selection as the audit trail stores it: lists and ISO times, no lead data beyond lead ids. */
export function auditFilter(f: DeadLetterFilter): Record<string, string | string[] | number> {
  const out: Record<string, string | string[] | number> = {};
  if (f.stages?.length) out['stages'] = [...f.stages];
  if (f.classes?.length) out['classes'] = [...f.classes];
  if (f.categories?.length) out['categories'] = [...f.categories];
  if (f.offers?.length) out['offers'] = [...f.offers];
  if (f.leadIds?.length) out['leadIds'] = [...f.leadIds];
  if (f.since) out['since'] = f.since.toISOString();
  if (f.until) out['until'] = f.until.toISOString();
  if (f.destinationVersionBelow !== undefined) out['destinationVersionBelow'] = f.destinationVersionBelow;
  return out;
}
