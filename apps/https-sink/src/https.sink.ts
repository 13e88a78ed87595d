import { createHmac } from 'node:crypto';
import {
  formatLeadSource,
  isLeadflowError,
  leadflowError,
  marketplaceUserDetails,
  type Lead,
  type LeadflowError,
} from '@leadflow/lead-model';
import { errorSummary, TLS_ERROR_CODES, TRANSIENT_NETWORK_CODES, type Sink } from '@leadflow/sink-runtime';
import type { AllowedAddresses } from './address-policy';
import { AddressNotAllowedError, guardedPost, HttpStatusError, TooManyRedirectsError } from './guarded-request';

/** The marketplace's HTTPS-endpoint body (what a Power Automate trigger expects). */
export function marketplaceBody(lead: Lead): string {
  return JSON.stringify({
    UserDetails: marketplaceUserDetails(lead.customer),
    LeadSource: formatLeadSource({ source: lead.source, action: lead.action, offer: lead.offerId }),
    ActionCode: lead.action,
    OfferTitle: lead.offerTitle ?? '',
    Description: lead.description ?? '',
  });
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (see README.md for verification). */
export function signature(secret: string, body: string, nowS: number): string {
  return `t=${nowS},v1=${createHmac('sha256', secret).update(`${nowS}.${body}`).digest('hex')}`;
}

/** The https destination's answers, mapped to the error catalog. */
export function classifyHttps(err: unknown): LeadflowError {
  if (isLeadflowError(err)) return err;
  if (err instanceof AddressNotAllowedError) return leadflowError('HTTPS.ADDRESS_NOT_ALLOWED', err.message);
  if (err instanceof HttpStatusError) {
    if (err.status === 408 || err.status === 429 || err.status >= 500) {
      return leadflowError(
        'HTTPS.SERVER_ERROR',
        err.message,
        err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {},
      );
    }
    return leadflowError('HTTPS.ENDPOINT_REJECTED', err.message);
  }
  if (err instanceof TooManyRedirectsError) return leadflowError('HTTPS.ENDPOINT_REJECTED', err.message);
  const code = (err as { code?: unknown } | null)?.code;
  const name = (err as { name?: unknown } | null)?.name;
  if (code === 'ENOTFOUND')
    return leadflowError('HTTPS.ENDPOINT_UNREACHABLE', `host does not resolve: ${errorSummary(err)}`);
  if (typeof code === 'string' && TLS_ERROR_CODES.has(code)) return leadflowError('HTTPS.TLS_ERROR', errorSummary(err));
  if (
    (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) ||
    name === 'AbortError' ||
    name === 'TimeoutError'
  ) {
    return leadflowError('HTTPS.SERVER_ERROR', errorSummary(err));
  }
  return leadflowError('INTERNAL.UNEXPECTED', errorSummary(err), { cause: err });
}

export function httpsSink(
  allow: AllowedAddresses,
  nowS: () => number = () => Math.floor(Date.now() / 1000),
): Sink<'https'> {
  return {
    type: 'https',
    classify: classifyHttps,
    async deliver(lead, destination, ctx) {
      const body = marketplaceBody(lead);
      const headers: Record<string, string> = { 'leadflow-lead-id': lead.leadId, 'idempotency-key': lead.leadId };
      if (destination.signingSecret) headers['leadflow-signature'] = signature(destination.signingSecret, body, nowS());
      await guardedPost({ url: destination.url, body, headers, allow, signal: ctx.signal });
      return {};
    },
  };
}
