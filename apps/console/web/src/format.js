export const fmt = new Intl.NumberFormat('en');
export const n = (v) => fmt.format(v ?? 0);

/** "3 min ago" for recent times, the date otherwise; the exact time is in the title. */
export function ago(iso) {
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const s = Math.round((Date.now() - t) / 1000);
  if (s < 60) return `${Math.max(s, 0)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ');
}

export const isoOf = (v) => (typeof v === 'number' ? new Date(v).toISOString() : v);

/** `#/replay?offer=a&class=b` from a filter object (empty values left out). */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** "in 3 h" for a time ahead (a quota's reset), the date beyond a day; the exact time is in the title. */
export function ahead(iso) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const s = Math.round((t - Date.now()) / 1000);
  if (s < 60) return `in ${Math.max(s, 0)} s`;
  if (s < 3600) return `in ${Math.round(s / 60)} min`;
  if (s < 86400) return `in ${Math.round(s / 3600)} h`;
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ');
}
