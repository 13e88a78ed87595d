import type { OfferDestinationRecord } from '@leadflow/lead-model';
import { unsealedSecretFields } from './seal';

export type DecodedOfferRecord =
  | { readonly kind: 'record'; readonly record: OfferDestinationRecord }
  | { readonly kind: 'tombstone'; readonly offerId: string }
  | { readonly kind: 'malformed'; readonly reason: string };

/**
 * Decodes one `offers.destinations` record. Only the envelope is checked (offer id matches the key,
 * version, time, a destination with a type, every secret sealed), not the destination schema: a legacy
 * record (type `azure-blob`, refused on write today) must still be visible so the router can say it is
 * retired. Reasons never contain values, so they are safe to log.
 */
export function decodeOfferRecord(key: Buffer | null, value: Buffer | null): DecodedOfferRecord {
  const offerId = key?.toString('utf8') ?? '';
  if (offerId.length === 0) return { kind: 'malformed', reason: 'record has no key' };
  if (value === null) return { kind: 'tombstone', offerId };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return { kind: 'malformed', reason: 'value is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { kind: 'malformed', reason: 'value is not an object' };
  const r = parsed as Record<string, unknown>;
  if (r['offerId'] !== offerId) return { kind: 'malformed', reason: 'offerId does not match the record key' };
  if (typeof r['version'] !== 'number' || !Number.isInteger(r['version']) || r['version'] < 1) {
    return { kind: 'malformed', reason: 'version is not a positive integer' };
  }
  if (typeof r['updatedAt'] !== 'string') return { kind: 'malformed', reason: 'updatedAt is not a string' };
  const destination = r['destination'];
  if (
    typeof destination !== 'object' ||
    destination === null ||
    typeof (destination as Record<string, unknown>)['type'] !== 'string'
  ) {
    return { kind: 'malformed', reason: 'destination has no type' };
  }
  const unsealed = unsealedSecretFields(destination);
  if (unsealed.length > 0) return { kind: 'malformed', reason: `secret fields not sealed: ${unsealed.join(', ')}` };
  return { kind: 'record', record: parsed as OfferDestinationRecord };
}

/** The bytes of a record as published (the envelope checks of {@link decodeOfferRecord} hold for them). */
export function encodeOfferRecord(record: OfferDestinationRecord): Buffer {
  return Buffer.from(JSON.stringify(record), 'utf8');
}
