import { Topics, type DestinationType } from '@leadflow/lead-model';

/** The topics one router reads and writes. Production uses the contract's names; tests prefix them. */
export interface RouterTopics {
  readonly ingested: string;
  readonly offers: string;
  readonly deadLetter: string;
  route(type: DestinationType, suffix?: string): string;
}

/**
 * The contract's topic names, each preceded by `prefix` (empty in production). A prefix gives a test,
 * or a shared development cluster, a namespace of its own without changing any other name.
 */
export function routerTopics(prefix = ''): RouterTopics {
  return {
    ingested: `${prefix}${Topics.ingested}`,
    offers: `${prefix}${Topics.offerDestinations}`,
    deadLetter: `${prefix}${Topics.dlq('router')}`,
    route: (type, suffix) => `${prefix}${Topics.route(type, suffix)}`,
  };
}
