import {
  DESTINATION_TYPES,
  isValidRouteSuffix,
  quotaAccount,
  type DestinationType,
  type ErrorClass,
  type OfferDestinationRecord,
} from '@leadflow/lead-model';
import type { LeadParse, LeadRewrite } from './decode-lead';
import type { RouterTopics } from './router-topics';

export type RouteDecision =
  | {
      readonly kind: 'route';
      readonly topic: string;
      readonly destinationType: DestinationType;
      readonly destinationVersion: number;
      /**
       * The route record's key when the destination spends a per-account quota (lead-model quotaAccount): one
       * account's leads on one partition, so one sink instance owns the quota. Otherwise the inbound key (offer id).
       */
      readonly key?: string;
      /** The canonical record to write instead of the inbound one (see decodeLead). */
      readonly rewrite?: LeadRewrite;
    }
  | {
      readonly kind: 'dead-letter';
      readonly errorClass: ErrorClass;
      readonly message: string;
      readonly destinationVersion?: number;
    };

/** Azure Blob destinations were retired; records written before that may still be in the table. */
const RETIRED_TYPE = 'azure-blob';

function isDestinationType(type: string): type is DestinationType {
  return (DESTINATION_TYPES as readonly string[]).includes(type);
}

/**
 * Where one record of `leads.ingested` goes: the route topic of its offer's destination (or that
 * destination's own `<type>.<suffix>` topic), or the router's dead-letter topic with the error class
 * that tells the publisher what to fix. Pure: same inputs, same answer.
 */
export function route(
  parsed: LeadParse,
  record: OfferDestinationRecord | undefined,
  topics: Pick<RouterTopics, 'route'>,
): RouteDecision {
  if (!parsed.ok) return { kind: 'dead-letter', errorClass: 'ROUTER.MALFORMED_EVENT', message: parsed.reason };
  const { offerId } = parsed.lead;
  if (!record) {
    return {
      kind: 'dead-letter',
      errorClass: 'ROUTER.OFFER_NOT_CONFIGURED',
      message: `offer ${offerId} has no destination configured`,
    };
  }
  const destinationVersion = record.version;
  // Widened to string: a legacy record may carry a type the current schema no longer admits.
  const type: string = record.destination.type;
  if (type === RETIRED_TYPE) {
    return {
      kind: 'dead-letter',
      errorClass: 'ROUTER.DESTINATION_RETIRED',
      message: `offer ${offerId} is still set to Azure Blob storage, which is retired`,
      destinationVersion,
    };
  }
  if (!isDestinationType(type)) {
    // Written by a newer ingest than this router knows: a deployment problem, not the publisher's.
    return {
      kind: 'dead-letter',
      errorClass: 'INTERNAL.UNEXPECTED',
      message: `offer ${offerId} has a destination of type "${type}", which this router does not know`,
      destinationVersion,
    };
  }
  const suffix = topicSuffixOf(record.destination);
  if (suffix !== undefined && !isValidRouteSuffix(suffix)) {
    // parseDestination refuses such a suffix on write: only a record written around it gets here.
    return {
      kind: 'dead-letter',
      errorClass: 'INTERNAL.UNEXPECTED',
      message: `offer ${offerId} names a route topic suffix that is not a valid topic name`,
      destinationVersion,
    };
  }
  const account = quotaAccount(record.destination);
  return {
    kind: 'route',
    topic: topics.route(type, suffix),
    destinationType: type,
    destinationVersion,
    ...(account !== undefined ? { key: account } : {}),
    ...(parsed.rewrite ? { rewrite: parsed.rewrite } : {}),
  };
}

function topicSuffixOf(destination: object): string | undefined {
  const suffix: unknown = (destination as { topicSuffix?: unknown }).topicSuffix;
  return typeof suffix === 'string' && suffix.length > 0 ? suffix : undefined;
}
