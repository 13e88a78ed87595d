export {
  REPLAY_LEDGER_TOPIC,
  REPLAY_LEDGER_PARTITIONS,
  ReplayHeaders,
  deadLetterTopics,
  stageOfTopic,
  type DeadLetterTopics,
} from './dead-letter-topics';
export { decodeDeadLetter, positionId, type DeadLetter, type RawDeadLetter, type RecordPosition } from './dead-letter';
export {
  parseFilter,
  parseInstant,
  matchesFilter,
  type DeadLetterFilter,
  type FilterSubject,
  type RawFilter,
} from './filter';
export { summarize, type SummaryRow } from './summary';
export { maskPii } from './mask';
export { deadLetterView, type DeadLetterView } from './view';
export { encodeLedgerEntry, decodeLedgerEntry, type LedgerEntry } from './ledger';
export { replayMessage, type ReplayMessage } from './replay-record';
export { readToEnd, type ReadToEndOptions, type RecordHandler } from './topic-reader';
export {
  DeadLetterStore,
  ReplayFencedError,
  type DeadLetterStoreOptions,
  type DeadLetterSnapshot,
  type ReplayOptions,
  type ReplayProgress,
  type ReplayReport,
} from './dead-letter-store';
