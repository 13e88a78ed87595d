import { createHash, randomUUID } from 'node:crypto';

/*
 * UUIDv5 and UUIDv7 (RFC 9562) on node:crypto. The installed `uuid` package is ESM-only, which the
 * CommonJS test runtime cannot load; both algorithms are a few lines.
 */

/**
 * Namespace of lead ids derived from an `Idempotency-Key`. Fixed forever: changing it would give a
 * retried request a different leadId than its first attempt.
 */
export const IDEMPOTENCY_NAMESPACE = '6ab01ccb-93dd-4e91-9810-5ccafb56b8e9';

/** Namespace of validation lead ids derived from an offer's configuration version. */
export const VALIDATION_NAMESPACE = 'c1d0b0a4-1c55-4b6e-9c1f-4f3a1f6e2d7a';

function format(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function namespaceBytes(namespace: string): Buffer {
  const hex = namespace.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new TypeError('namespace is not a UUID');
  return Buffer.from(hex, 'hex');
}

/** RFC 9562 §5.5: SHA-1 of namespace + name, version 5, variant 10. */
export function uuidV5(name: string, namespace: string): string {
  const digest = createHash('sha1').update(namespaceBytes(namespace)).update(name, 'utf8').digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return format(bytes);
}

/** RFC 9562 §5.7: 48-bit Unix milliseconds, then random bits; ids sort by creation time. */
export function uuidV7(now: number = Date.now()): string {
  // randomUUID() draws from Node's pooled entropy (randomBytes(16) per id cost ~3 µs, a third of a
  // lead's intake). A v4 keeps its random bits and variant; its first 48 bits become the timestamp and
  // its version nibble 7 (RFC 9562 §5.7).
  const v4 = randomUUID();
  const ts = now.toString(16).padStart(12, '0');
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${v4.slice(15)}`;
}

/** The leadId of a request that carries an `Idempotency-Key` and no leadId: the same for every retry. */
export function leadIdFromIdempotencyKey(offerId: string, key: string): string {
  return uuidV5(`${offerId}:${key}`, IDEMPOTENCY_NAMESPACE);
}

/**
 * The validation lead of one saved configuration. Derived, not stored: every ingest instance can tell
 * which lead validates the version it reads from `offers.destinations`. `updatedAt` keeps a version
 * number reused after a delete from pointing at an old validation.
 */
export function validationLeadId(offerId: string, version: number, updatedAt: string): string {
  return uuidV5(`${offerId}:${version}:${updatedAt}`, VALIDATION_NAMESPACE);
}
