import { createHmac } from 'node:crypto';
import { secretDigest, secretEquals } from './secret-compare';

/**
 * The `sig` of an offer-scoped lead URL: HMAC-SHA256 of the offer id under the server's URL signing
 * key, base64url without padding. The URL itself is the credential, so the real marketplace's "HTTPS
 * endpoint" destination can point straight at leadflow.
 */
export function signOfferId(key: string, offerId: string): string {
  return createHmac('sha256', key).update(offerId, 'utf8').digest('base64url');
}

/** Constant-time check of a `sig` query parameter. */
export function verifyOfferSignature(key: string, offerId: string, sig: string): boolean {
  return secretEquals(sig, secretDigest(signOfferId(key, offerId)));
}

/** The signed URL a publisher (or the marketplace) posts the offer's leads to. */
export function offerLeadUrl(publicUrl: string, key: string, offerId: string): string {
  const base = publicUrl.replace(/\/+$/, '');
  return `${base}/v1/offers/${encodeURIComponent(offerId)}/leads?sig=${signOfferId(key, offerId)}`;
}
