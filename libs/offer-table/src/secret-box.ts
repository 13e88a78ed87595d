import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptedSecret } from '@leadflow/lead-model';
import type { Keyring } from './keyring';

/** One sealed value, as stored in `offers.destinations`: AES-256-GCM, base64 iv, tag and data. */
export type SealedValue = EncryptedSecret;

export type SecretErrorReason = 'unknown-key' | 'not-authentic' | 'malformed';

/**
 * A secret that cannot be sealed or opened. The message says which field and why (unknown key id,
 * altered or misplaced ciphertext, malformed envelope); it never contains plaintext or key material.
 */
export class SecretError extends Error {
  constructor(
    readonly reason: SecretErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'SecretError';
  }
}

const ALGORITHM = 'aes-256-gcm';
// 96-bit IVs are GCM's native size (NIST SP 800-38D); random IVs are safe far beyond our write volume.
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Seals `plaintext` with the ring's active key, authenticating `aad` (the offer id) alongside it. */
export function sealValue(plaintext: string, ring: Keyring, aad: string): SealedValue {
  const key = ring.key(ring.activeKid);
  if (!key) throw new SecretError('unknown-key', `active key id ${ring.activeKid} is missing from the keyring`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    kid: ring.activeKid,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

/** Opens a sealed value; `what` names the field in error messages (e.g. "auth.clientSecret of offer x"). */
export function openValue(sealed: SealedValue, ring: Keyring, aad: string, what: string): string {
  const key = ring.key(sealed.kid);
  if (!key) {
    throw new SecretError(
      'unknown-key',
      `${what} was sealed with key id "${sealed.kid}", which this keyring does not hold (it holds ${ring.kids.join(', ')}); add that key to LEADFLOW_SECRET_KEYS`,
    );
  }
  const iv = Buffer.from(sealed.iv, 'base64');
  const tag = Buffer.from(sealed.tag, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new SecretError('malformed', `${what} is not a valid sealed secret (iv or tag has the wrong size)`);
  }
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    // GCM says only "unable to authenticate": the ciphertext, iv or tag was altered, the secret was
    // sealed for another offer (AAD), or a different key was registered under the same id.
    throw new SecretError(
      'not-authentic',
      `${what} failed authentication: it was altered, sealed for another offer, or sealed with a different key under id "${sealed.kid}"`,
    );
  }
}

/** A structurally valid sealed envelope (string kid, iv, tag, data). */
export function isSealedValue(value: unknown): value is SealedValue {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['kid'] === 'string' &&
    typeof v['iv'] === 'string' &&
    typeof v['tag'] === 'string' &&
    typeof v['data'] === 'string'
  );
}
