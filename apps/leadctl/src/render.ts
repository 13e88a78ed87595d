import Table from 'cli-table3';
import type { DeadLetterView, SummaryRow } from '@leadflow/dead-letters';
import type { OutStream } from './io';

/** `2026-01-02T03:04:05.678Z` → `2026-01-02 03:04:05Z`: readable, still unambiguous. */
export function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function table(head: string[], colWidths: (number | null)[]): Table.Table {
  // No colours: the table is read in terminals and in CI logs alike.
  return new Table({ head, colWidths, wordWrap: true, style: { head: [], border: [] } });
}

/** One JSON object per line (`--json`), for scripts. */
export function jsonLine(out: OutStream, value: unknown): void {
  out.write(`${JSON.stringify(value)}\n`);
}

export function summaryTable(rows: readonly SummaryRow[]): string {
  const t = table(
    ['Stage', 'Error class', 'Offer', 'Count', 'Replayed', 'Oldest', 'Newest', 'Remediation'],
    [null, null, null, null, null, 22, 22, 60],
  );
  for (const r of rows)
    t.push([
      r.stage,
      r.errorClass,
      r.offerId,
      String(r.count),
      String(r.replayed),
      shortTime(r.oldest),
      shortTime(r.newest),
      r.remediation,
    ]);
  return t.toString();
}

export function listTable(views: readonly DeadLetterView[]): string {
  const t = table(
    ['Failed at', 'Stage', 'Error class', 'Offer', 'Lead id', 'Replayed', 'Message'],
    [22, null, null, null, null, null, 50],
  );
  for (const v of views)
    t.push([
      shortTime(v.failedAt),
      v.stage,
      v.errorClass,
      v.offerId ?? '',
      v.leadId ?? '',
      v.replayed ? shortTime(v.replayed.at) : '',
      v.message.length > 200 ? `${v.message.slice(0, 199)}…` : v.message,
    ]);
  return t.toString();
}

/** The full story of one dead letter, for `dlq show`. */
export function detail(v: DeadLetterView): string {
  const lines: [string, string][] = [
    ['Dead letter', v.id],
    ['Lead', v.leadId ?? '(none)'],
    ['Offer', v.offerId ?? '(none)'],
    ['Stage', `${v.stage}${v.sink ? ` (given up by ${v.sink})` : ''}`],
    ['Error', `${v.errorClass} (${v.category})`],
    ['Message', v.message],
    ['Remediation', v.remediation],
    ['Failed at', `${shortTime(v.failedAt)}${v.attempts !== null ? `, after ${v.attempts} attempt(s)` : ''}`],
    ['Destination version', v.destinationVersion === null ? '(none)' : String(v.destinationVersion)],
    ['Consumed from', v.original ?? '(unknown)'],
    ['Replayed', v.replayed ? `${shortTime(v.replayed.at)} by ${v.replayed.by}` : 'no'],
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  const body = typeof v.lead === 'string' ? v.lead : JSON.stringify(v.lead, null, 2);
  return `${lines.map(([k, val]) => `${k.padEnd(width)}  ${val}`).join('\n')}\n${'Lead value'.padEnd(width)}\n${body}\n`;
}
