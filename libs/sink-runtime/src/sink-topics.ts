import { Topics, type DestinationType } from '@leadflow/lead-model';

/** What one sink reads and writes. Production uses the contract's names; tests prefix them. */
export interface SinkTopics {
  readonly routes: RegExp;
  readonly deadLetter: string;
  readonly delivered: string;
  readonly offers: string;
  /** `offers.quota-waits`: leads held for a quota, shown in the offer status; unset, nothing is published. */
  readonly quotaWaits?: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

export function sinkTopics(type: DestinationType, prefix = ''): SinkTopics {
  return {
    routes: new RegExp(`^${escape(prefix)}leads\\.route\\.${escape(type)}(\\..+)?$`),
    deadLetter: `${prefix}${Topics.dlq(type)}`,
    delivered: `${prefix}${Topics.delivered}`,
    offers: `${prefix}${Topics.offerDestinations}`,
    quotaWaits: `${prefix}${Topics.quotaWaits}`,
  };
}
