import { createHash, timingSafeEqual } from 'node:crypto';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Constant-time string equality. Both sides are hashed first so that the comparison runs over equal
 * lengths and neither the length nor a common prefix of the secret leaks through timing.
 */
export function secretEquals(candidate: string, expectedDigest: Buffer): boolean {
  return timingSafeEqual(digest(candidate), expectedDigest);
}

/** The digest that `secretEquals` compares against; computed once per configured secret. */
export function secretDigest(secret: string): Buffer {
  return digest(secret);
}
