import type { DeadLetter } from './dead-letter';

/** One line of `dlq summary`: the dead letters of one stage, error class and offer. */
export interface SummaryRow {
  readonly stage: string;
  readonly errorClass: string;
  readonly category: string;
  readonly offerId: string;
  readonly count: number;
  /** How many of them were already replayed (per the ledger). */
  readonly replayed: number;
  readonly oldest: string;
  readonly newest: string;
  readonly remediation: string;
}

/** Groups dead letters by stage, error class and offer; the largest groups first. */
export function summarize(deadLetters: readonly DeadLetter[], isReplayed: (id: string) => boolean): SummaryRow[] {
  const groups = new Map<
    string,
    { row: Omit<SummaryRow, 'count' | 'replayed' | 'oldest' | 'newest'>; all: DeadLetter[] }
  >();
  for (const dl of deadLetters) {
    const offerId = dl.offerId ?? '(none)';
    const key = `${dl.stage}\u0000${dl.errorClass}\u0000${offerId}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        row: {
          stage: dl.stage,
          errorClass: dl.errorClass,
          category: dl.category,
          offerId,
          remediation: dl.remediation,
        },
        all: [],
      };
      groups.set(key, g);
    }
    g.all.push(dl);
  }
  const rows = [...groups.values()].map(({ row, all }) => {
    const times = all.map((d) => d.failedAt).sort();
    return {
      ...row,
      count: all.length,
      replayed: all.filter((d) => isReplayed(d.id)).length,
      oldest: times[0] ?? '',
      newest: times[times.length - 1] ?? '',
    };
  });
  return rows.sort(
    (a, b) =>
      b.count - a.count ||
      a.stage.localeCompare(b.stage) ||
      a.errorClass.localeCompare(b.errorClass) ||
      a.offerId.localeCompare(b.offerId),
  );
}
