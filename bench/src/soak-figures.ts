/** A least-squares line through (minute, MB) points. */
export interface Fit {
  /** MB per minute. */
  readonly slope: number;
  /** The line's value at minute `m`. */
  at(m: number): number;
}

/**
 * Ordinary least squares through the points. RSS moves in steps with each GC and each heap growth: a line through
 * every sample says where it is heading, where the first and last samples alone would say where GC happened to be.
 * Fewer than two distinct minutes give no slope (NaN).
 */
export function fitSlope(points: readonly (readonly [number, number])[]): Fit {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const slope = n >= 2 && sxx > 0 ? sxy / sxx : Number.NaN;
  return { slope, at: (m) => my + slope * (m - mx) };
}

/** Growth along the fitted line from minute `from` to minute `to`, in % of its value at `from`. */
export function growthPercent(fit: Fit, from: number, to: number): number {
  return ((fit.at(to) - fit.at(from)) / fit.at(from)) * 100;
}

/**
 * The values of every series of one metric in a Prometheus text exposition (`name{labels} value` or `name value`);
 * comments and other metrics, including ones whose name only starts with `name`, are skipped.
 */
export function parseMetric(text: string, name: string): number[] {
  const values: number[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    const value = Number(
      rest
        .slice(rest.lastIndexOf('}') + 1)
        .trim()
        .split(' ')[0],
    );
    if (Number.isFinite(value)) values.push(value);
  }
  return values;
}
