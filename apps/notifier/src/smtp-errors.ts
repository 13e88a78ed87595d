import type { NotifierErrorClass } from '@leadflow/lead-model';

/** What to do with a failed send: try again later, or dead-letter the notice with a class. */
export type SendVerdict =
  | { readonly retry: true; readonly reason: string }
  | { readonly retry: false; readonly errorClass: NotifierErrorClass; readonly reason: string };

/**
 * nodemailer's error codes (nodemailer `src/errors.ts`) that say the server or the way to it failed, not the
 * notice: connection, greeting, TLS, DNS, socket and timeouts are retried, as is authentication (an operator's
 * credential problem stops every notice alike; dead-lettering them all would lose them).
 */
const RETRY_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EAUTH',
  'EPROTOCOL',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

function field(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[name] : undefined;
}

/**
 * The one table that turns a send failure into a verdict: any 4xx reply is temporary (RFC 5321 §4.2.1), any 5xx
 * permanent; without a reply code, nodemailer's code decides. The reason names codes only, never an address.
 */
export function classifySendError(err: unknown): SendVerdict {
  const responseCode = field(err, 'responseCode');
  const code = typeof field(err, 'code') === 'string' ? (field(err, 'code') as string) : 'UNKNOWN';
  const command = typeof field(err, 'command') === 'string' ? ` ${field(err, 'command') as string}` : '';
  if (typeof responseCode === 'number') {
    const reason = `${code}${command} ${responseCode}`;
    if (responseCode >= 400 && responseCode < 500) return { retry: true, reason };
    if (responseCode >= 500) {
      // A refused envelope (RCPT TO) is the contact's address; a 5xx after DATA is about the message.
      const recipient = code === 'EENVELOPE' || /RCPT/i.test(command);
      return {
        retry: false,
        errorClass: recipient ? 'NOTIFIER.RECIPIENT_REFUSED' : 'NOTIFIER.MESSAGE_REFUSED',
        reason,
      };
    }
  }
  if (code === 'EENVELOPE') return { retry: false, errorClass: 'NOTIFIER.RECIPIENT_REFUSED', reason: code };
  if (RETRY_CODES.has(code)) return { retry: true, reason: code };
  if (code === 'EMESSAGE' || code === 'ESTREAM')
    return { retry: false, errorClass: 'NOTIFIER.MESSAGE_REFUSED', reason: code };
  return { retry: false, errorClass: 'NOTIFIER.UNEXPECTED', reason: code };
}
