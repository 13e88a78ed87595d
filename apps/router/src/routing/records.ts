import type { IHeaders } from 'kafkajs';
import type { DestinationType, ErrorClass } from '@leadflow/lead-model';

/** One consumed record of `leads.ingested`, as the pipeline needs it. */
export interface InboundRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders | undefined;
}

/** What the router writes for one inbound record, and why (for metrics and logs). */
export interface OutboundRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
  readonly outcome:
    | { readonly kind: 'route'; readonly destinationType: DestinationType }
    | { readonly kind: 'dead-letter'; readonly errorClass: ErrorClass };
}
