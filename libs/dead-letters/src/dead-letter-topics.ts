import { DLQ_STAGES, Headers, Topics, type DlqStage } from '@leadflow/lead-model';

/**
 * The replay ledger: one record per replayed dead letter, keyed by its position
 * (`<dlq topic>/<partition>/<offset>`), on a compacted topic, so the latest entry per dead letter is kept
 * forever while the dead-letter topics themselves age out.
 */
export const REPLAY_LEDGER_TOPIC = Topics.replayLedger;

/** Partitions of the ledger topic when leadctl has to create it (it is small: one record per replayed lead). */
export const REPLAY_LEDGER_PARTITIONS = 3;

/** Headers a replayed record carries besides its original value and CloudEvents headers. */
export const ReplayHeaders = {
  of: Headers.replayOf,
  at: Headers.replayAt,
  by: Headers.replayBy,
} as const;

/** The topics the dead-letter engine reads and writes. Production uses the contract's names; tests prefix them. */
export interface DeadLetterTopics {
  /** Where replays re-enter the pipeline (the router decides the route with the current configuration). */
  readonly ingested: string;
  readonly ledger: string;
  /** Dead-letter topic by stage; a stage left out is not read. */
  readonly deadLetters: Readonly<Partial<Record<DlqStage, string>>>;
}

/** The contract's topic names, each preceded by `prefix` (empty in production). */
export function deadLetterTopics(prefix = ''): DeadLetterTopics {
  return {
    ingested: `${prefix}${Topics.ingested}`,
    ledger: `${prefix}${REPLAY_LEDGER_TOPIC}`,
    deadLetters: Object.fromEntries(DLQ_STAGES.map((s) => [s, `${prefix}${Topics.dlq(s)}`])),
  };
}

/** The stage whose dead-letter topic `topic` is, if any. */
export function stageOfTopic(topics: DeadLetterTopics, topic: string): DlqStage | undefined {
  return DLQ_STAGES.find((s) => topics.deadLetters[s] === topic);
}
