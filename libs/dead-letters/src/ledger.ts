/** One replay of one dead letter, as the ledger keeps it (key: the dead letter's position). */
export interface LedgerEntry {
  readonly replayOf: string;
  readonly replayedAt: string;
  readonly by: string;
  readonly leadId?: string;
  readonly offerId?: string;
}

export function encodeLedgerEntry(e: LedgerEntry): { key: string; value: string } {
  return { key: e.replayOf, value: JSON.stringify(e) };
}

/**
 * A ledger record, or undefined for a tombstone (an operator's way to allow a dead letter to be replayed
 * again) or a record that is not an entry.
 */
export function decodeLedgerEntry(key: string | null, value: Buffer | null): LedgerEntry | undefined {
  if (key === null || value === null) return undefined;
  try {
    const v: unknown = JSON.parse(value.toString('utf8'));
    if (typeof v !== 'object' || v === null) return undefined;
    const o = v as Record<string, unknown>;
    if (typeof o['replayedAt'] !== 'string' || typeof o['by'] !== 'string') return undefined;
    return {
      replayOf: key,
      replayedAt: o['replayedAt'],
      by: o['by'],
      ...(typeof o['leadId'] === 'string' ? { leadId: o['leadId'] } : {}),
      ...(typeof o['offerId'] === 'string' ? { offerId: o['offerId'] } : {}),
    };
  } catch {
    return undefined;
  }
}
