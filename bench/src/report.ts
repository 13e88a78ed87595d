/** One measured figure beside the baseline it is judged against, measured in the same run. */
export interface BenchRow {
  readonly scenario: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly label: string; readonly value: number };
  /** Required ratio value/baseline (e.g. 0.8), an absolute floor or an absolute ceiling in `unit`. */
  readonly target?: { readonly ratio?: number; readonly atLeast?: number; readonly atMost?: number };
  readonly notes?: string;
}

/** Two decimals below 10 (CPU seconds per 1,000 leads are 0.2–1.0 per process: one decimal hid a 10 % change). */
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2));

export function verdict(r: BenchRow): string {
  if (!r.target) return '';
  const okRatio =
    r.target.ratio === undefined || (r.baseline !== undefined && r.value >= r.target.ratio * r.baseline.value);
  const okAbs = r.target.atLeast === undefined || r.value >= r.target.atLeast;
  const okCeiling = r.target.atMost === undefined || r.value <= r.target.atMost;
  return okRatio && okAbs && okCeiling ? 'met' : 'MISSED';
}

export function renderReport(title: string, rows: readonly BenchRow[]): string {
  const header = ['scenario', 'figure', 'baseline (same run)', 'ratio', 'target', 'verdict', 'notes'];
  const body = rows.map((r) => [
    r.scenario,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline ? `${r.baseline.label}: ${fmt(r.baseline.value)} ${r.unit}` : '',
    r.baseline ? `${((r.value / r.baseline.value) * 100).toFixed(0)} %` : '',
    [
      r.target?.ratio !== undefined ? `≥ ${r.target.ratio * 100} % of baseline` : '',
      r.target?.atLeast !== undefined ? `≥ ${fmt(r.target.atLeast)} ${r.unit}` : '',
      r.target?.atMost !== undefined ? `≤ ${fmt(r.target.atMost)} ${r.unit}` : '',
    ]
      .filter(Boolean)
      .join(', '),
    verdict(r),
    r.notes ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  return [`## ${title}`, '', line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line), ''].join(
    '\n',
  );
}
