import type { Destination, SealedDestination } from '@leadflow/lead-model';
import type { Keyring } from './keyring';
import { isSealedValue, openValue, SecretError, sealValue } from './secret-box';
import { getAt, secretPaths, setAt } from './secret-paths';

/**
 * Seals every secret field of `destination` (per SECRET_FIELDS; for azure-table the whole connection
 * string) with the ring's active key under AES-256-GCM. The offer id is authenticated with each secret,
 * so a sealed secret copied into another offer's record does not open.
 */
export function sealDestination(destination: Destination, ring: Keyring, offerId: string): SealedDestination {
  const out = structuredClone(destination) as unknown as Record<string, unknown>;
  for (const path of secretPaths(destination.type)) {
    const value = getAt(out, path);
    if (value === undefined) continue;
    if (typeof value !== 'string')
      throw new SecretError('malformed', `${path.join('.')} of offer ${offerId} is not a string`);
    setAt(out, path, sealValue(value, ring, offerId));
  }
  return out as unknown as SealedDestination;
}

/**
 * Opens every sealed secret field of a stored destination. Throws SecretError when a key id is not in
 * the ring, a ciphertext was altered or belongs to another offer, or a secret field is not sealed.
 */
export function openDestination(sealed: SealedDestination, ring: Keyring, offerId: string): Destination {
  const out = structuredClone(sealed) as unknown as Record<string, unknown>;
  const type = String(out['type']);
  for (const path of secretPaths(type)) {
    const value = getAt(out, path);
    if (value === undefined) continue;
    const what = `${path.join('.')} of offer ${offerId}`;
    if (!isSealedValue(value)) throw new SecretError('malformed', `${what} is not a sealed secret`);
    setAt(out, path, openValue(value, ring, offerId, what));
  }
  return out as unknown as Destination;
}

/** The secret fields of a stored destination that are present but not sealed (empty when all are sealed). */
export function unsealedSecretFields(destination: unknown): string[] {
  if (typeof destination !== 'object' || destination === null) return [];
  const type = String((destination as Record<string, unknown>)['type']);
  return secretPaths(type)
    .filter((path) => {
      const value = getAt(destination, path);
      return value !== undefined && !isSealedValue(value);
    })
    .map((path) => path.join('.'));
}
