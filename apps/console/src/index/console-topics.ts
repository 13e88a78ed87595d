import { deadLetterTopics, stageOfTopic, type DeadLetterTopics } from '@leadflow/dead-letters';
import { Topics, type DlqStage } from '@leadflow/lead-model';

/** The topics the console follows; tests and shared development clusters prefix them (LEADFLOW_TOPIC_PREFIX). */
export interface ConsoleTopics {
  /** The dead-letter engine's topics (dead letters, ledger, `leads.ingested`), as leadctl uses them. */
  readonly engine: DeadLetterTopics;
  readonly delivered: string;
  readonly offerDestinations: string;
  /** Matches every route topic (`leads.route.<type>` and an offer's own `leads.route.<type>.<suffix>`). */
  readonly route: RegExp;
  /** The audit trail the console writes its reveals and replays to (it does not read it). */
  readonly audit: string;
  /** The leads the sinks hold for a quota (compacted; the offer page shows them). */
  readonly quotaWaits: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

export function consoleTopics(prefix = ''): ConsoleTopics {
  return {
    engine: deadLetterTopics(prefix),
    delivered: `${prefix}${Topics.delivered}`,
    offerDestinations: `${prefix}${Topics.offerDestinations}`,
    route: new RegExp(`^${escape(prefix)}leads\\.route\\..+$`),
    audit: `${prefix}${Topics.audit}`,
    quotaWaits: `${prefix}${Topics.quotaWaits}`,
  };
}

export type TopicRole =
  | { readonly role: 'dead-letters'; readonly stage: DlqStage }
  | { readonly role: 'ingested' | 'delivered' | 'ledger' | 'route' | 'quota-waits' };

/** What a topic is to the console, or undefined for a topic it does not follow. */
export function roleOf(topics: ConsoleTopics, topic: string): TopicRole | undefined {
  const stage = stageOfTopic(topics.engine, topic);
  if (stage) return { role: 'dead-letters', stage };
  if (topic === topics.engine.ingested) return { role: 'ingested' };
  if (topic === topics.delivered) return { role: 'delivered' };
  if (topic === topics.engine.ledger) return { role: 'ledger' };
  if (topic === topics.quotaWaits) return { role: 'quota-waits' };
  if (topics.route.test(topic)) return { role: 'route' };
  return undefined;
}
