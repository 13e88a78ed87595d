import type { DeadLetter } from './dead-letter';
import type { LedgerEntry } from './ledger';
import { maskPii } from './mask';

/** What `dlq list --json` prints per dead letter (and what a console would show). */
export interface DeadLetterView {
  readonly id: string;
  readonly stage: string;
  readonly leadId: string | null;
  readonly offerId: string | null;
  readonly errorClass: string;
  readonly category: string;
  readonly message: string;
  readonly remediation: string;
  readonly failedAt: string;
  readonly attempts: number | null;
  readonly sink: string | null;
  readonly destinationVersion: number | null;
  readonly original: string | null;
  readonly replayed: { readonly at: string; readonly by: string } | null;
  /** The original value: parsed JSON (PII masked unless asked), or the text when it is not JSON. */
  readonly lead: unknown;
}

export function deadLetterView(
  dl: DeadLetter,
  opts: { readonly showPii: boolean; readonly replayed?: LedgerEntry },
): DeadLetterView {
  const raw = dl.record.value;
  const lead =
    dl.body !== undefined
      ? opts.showPii
        ? dl.body
        : maskPii(dl.body)
      : raw === null
        ? null
        : opts.showPii
          ? raw.toString('utf8')
          : `(${raw.length} bytes, not JSON; --show-pii prints them)`;
  return {
    id: dl.id,
    stage: dl.stage,
    leadId: dl.leadId ?? null,
    offerId: dl.offerId ?? null,
    errorClass: dl.errorClass,
    category: dl.category,
    message: dl.message,
    remediation: dl.remediation,
    failedAt: dl.failedAt,
    attempts: dl.attempts ?? null,
    sink: dl.sink ?? null,
    destinationVersion: dl.destinationVersion ?? null,
    original: dl.original ?? null,
    replayed: opts.replayed ? { at: opts.replayed.replayedAt, by: opts.replayed.by } : null,
    lead,
  };
}
