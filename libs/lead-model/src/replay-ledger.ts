import { z } from 'zod';
import { LeadIdSchema, OfferIdSchema } from './lead';

/** A dead letter's position, `<dlq topic>/<partition>/<offset>`: the ledger's key and `leadflow.replay.of`. */
export const DEAD_LETTER_POSITION_PATTERN = /^leads\.dlq\.[A-Za-z0-9._-]+\/[0-9]+\/[0-9]+$/;

/**
 * The value of a `leads.replay.ledger` record: one replay of one dead letter (key: its position; a tombstone
 * allows it to be replayed again). libs/dead-letters writes and reads it.
 */
export const ReplayLedgerEntrySchema = z
  .object({
    replayOf: z
      .string()
      .describe('The dead letter replayed, `<dlq topic>/<partition>/<offset>` (the record key; topic prefix allowed)'),
    replayedAt: z.iso.datetime({ offset: true }),
    by: z.string().min(1).describe('Who replayed: a user, or `auto-replay <offerId> v<version>`'),
    leadId: LeadIdSchema.optional(),
    offerId: OfferIdSchema.optional(),
  })
  .describe('One replay of one dead letter');

export type ReplayLedgerEntry = z.infer<typeof ReplayLedgerEntrySchema>;
