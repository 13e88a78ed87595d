import {
  DLQ_STAGES,
  ERROR_CATALOG,
  ERROR_CATEGORIES,
  fail,
  ok,
  type DlqStage,
  type FieldIssue,
  type Result,
} from '@leadflow/lead-model';
import type { DeadLetter } from './dead-letter';

/** Which dead letters a command applies to. Every list is "any of"; absent means "all". */
export interface DeadLetterFilter {
  readonly stages?: readonly DlqStage[];
  /** Error classes; `TABLE.*` selects every class of a family. */
  readonly classes?: readonly string[];
  readonly categories?: readonly string[];
  readonly offers?: readonly string[];
  readonly leadIds?: readonly string[];
  /** Failed at or after. */
  readonly since?: Date;
  /** Failed before. */
  readonly until?: Date;
  /**
   * Failed under a configuration version older than this one, or with no version (the offer had no
   * destination): what a fix saved as this version can repair.
   */
  readonly destinationVersionBelow?: number;
}

/** The filter as a user types it: comma-separated lists and times (RFC 3339, or an age such as `90m`, `2h`, `7d`). */
export interface RawFilter {
  readonly stage?: string;
  readonly class?: string;
  readonly category?: string;
  readonly offer?: string;
  readonly leadId?: string;
  readonly since?: string;
  readonly until?: string;
}

const list = (raw: string | undefined): string[] | undefined => {
  if (raw === undefined) return undefined;
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return items.length > 0 ? items : undefined;
};

const AGE = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** An instant: RFC 3339 (or a plain date), or an age counted back from `now`. */
export function parseInstant(raw: string, now: Date): Date | undefined {
  const age = AGE.exec(raw.trim());
  if (age) return new Date(now.getTime() - Number(age[1]) * UNIT_MS[age[2] as keyof typeof UNIT_MS]);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw.trim())) return undefined;
  const t = Date.parse(raw.trim());
  return Number.isNaN(t) ? undefined : new Date(t);
}

const families = [...new Set(Object.keys(ERROR_CATALOG).map((c) => c.split('.')[0]))];

/** Validates a typed filter; every bad option is named with what it accepts. */
export function parseFilter(raw: RawFilter, now: Date = new Date()): Result<DeadLetterFilter> {
  const issues: FieldIssue[] = [];
  const stages = list(raw.stage);
  for (const s of stages ?? [])
    if (!(DLQ_STAGES as readonly string[]).includes(s))
      issues.push({ path: 'stage', message: `unknown stage '${s}' (one of ${DLQ_STAGES.join(', ')})` });
  const classes = list(raw.class);
  for (const c of classes ?? []) {
    const known = c.endsWith('.*') ? families.includes(c.slice(0, -2)) : Object.hasOwn(ERROR_CATALOG, c);
    if (!known)
      issues.push({ path: 'class', message: `unknown error class '${c}' (e.g. TABLE.AUTH_FAILED or TABLE.*)` });
  }
  const categories = list(raw.category);
  for (const c of categories ?? [])
    if (!(ERROR_CATEGORIES as readonly string[]).includes(c))
      issues.push({ path: 'category', message: `unknown category '${c}' (one of ${ERROR_CATEGORIES.join(', ')})` });
  const time = (name: 'since' | 'until'): Date | undefined => {
    const v = raw[name];
    if (v === undefined) return undefined;
    const d = parseInstant(v, now);
    if (!d) issues.push({ path: name, message: `'${v}' is not a time (RFC 3339, or an age such as 30m, 2h, 7d)` });
    return d;
  };
  const since = time('since');
  const until = time('until');
  if (since && until && since >= until) issues.push({ path: 'until', message: 'must be later than --since' });
  if (issues.length > 0) return fail(issues);
  const offers = list(raw.offer);
  const leadIds = list(raw.leadId);
  return ok({
    ...(stages ? { stages: stages as DlqStage[] } : {}),
    ...(classes ? { classes } : {}),
    ...(categories ? { categories } : {}),
    ...(offers ? { offers } : {}),
    ...(leadIds ? { leadIds } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
  });
}

function classMatches(patterns: readonly string[], errorClass: string): boolean {
  return patterns.some((p) => (p.endsWith('.*') ? errorClass.startsWith(p.slice(0, -1)) : p === errorClass));
}

/** What a filter looks at: a decoded dead letter, or a summary of one (the console's index keeps no bodies). */
export type FilterSubject = Pick<
  DeadLetter,
  'stage' | 'errorClass' | 'category' | 'offerId' | 'leadId' | 'failedAt' | 'destinationVersion'
>;

/** True when `dl` is selected by `f`. */
export function matchesFilter(dl: FilterSubject, f: DeadLetterFilter): boolean {
  if (f.stages && !f.stages.includes(dl.stage)) return false;
  if (f.classes && !classMatches(f.classes, dl.errorClass)) return false;
  if (f.categories && !f.categories.includes(dl.category)) return false;
  if (f.offers && (dl.offerId === undefined || !f.offers.includes(dl.offerId))) return false;
  if (f.leadIds && (dl.leadId === undefined || !f.leadIds.includes(dl.leadId))) return false;
  const at = Date.parse(dl.failedAt);
  if (f.since && !(at >= f.since.getTime())) return false;
  if (f.until && !(at < f.until.getTime())) return false;
  if (
    f.destinationVersionBelow !== undefined &&
    dl.destinationVersion !== undefined &&
    dl.destinationVersion >= f.destinationVersionBelow
  )
    return false;
  return true;
}
