import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { AuditEntry } from '@leadflow/audit';
import { DeadLetterStore, REPLAY_LEDGER_TOPIC } from '@leadflow/dead-letters';
import type { DlqStage, OfferDestinationRecord } from '@leadflow/lead-model';
import type { Logger } from '@leadflow/observability';
import { validationLeadId } from '../leads/lead-ids';
import type { OfferStatusIndex } from '../status/status-index';
import { AutoReplay } from './auto-replay';

/** What the composition root hands over: its Kafka client, topics, offer table and status index. */
export interface AutoReplayWiring {
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly registry?: Registry;
  readonly topics: {
    readonly ingested: string;
    readonly deadLetters: Readonly<Record<string, string>>;
    readonly replayLedger?: string;
  };
  readonly offers: { get(offerId: string): OfferDestinationRecord | undefined };
  readonly index: OfferStatusIndex;
  readonly audit?: { append(entry: AuditEntry): Promise<unknown> };
}

/** Auto-replay on the same engine and ledger as `leadctl dlq replay`. */
export function createAutoReplay(w: AutoReplayWiring): AutoReplay {
  const store = new DeadLetterStore({
    kafka: w.kafka,
    topics: {
      ingested: w.topics.ingested,
      ledger: w.topics.replayLedger ?? REPLAY_LEDGER_TOPIC,
      deadLetters: w.topics.deadLetters as Readonly<Partial<Record<DlqStage, string>>>,
    },
    groupPrefix: 'leadflow-ingest-auto-replay',
  });
  return new AutoReplay({
    store,
    offers: w.offers,
    validationLeadId,
    index: w.index,
    logger: w.logger,
    ...(w.registry ? { registry: w.registry } : {}),
    ...(w.audit ? { audit: w.audit } : {}),
  });
}
