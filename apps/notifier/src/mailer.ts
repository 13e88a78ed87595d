import { createTransport, type Transporter } from 'nodemailer';
import type { SmtpSettings } from './notifier.config';
import type { RenderedNotice } from './templates';

export interface Mail {
  readonly from: string;
  readonly to: readonly string[];
  readonly rendered: RenderedNotice;
  /** `List-Unsubscribe` target (RFC 2369), mailto: or https:. */
  readonly unsubscribe: string;
  /** Stable per notice, so a mail server or client can spot a repeat after a crash. */
  readonly messageId: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The accepted and refused recipients of a sent mail (a partial refusal still sends to the others). */
export interface SendResult {
  readonly accepted: number;
  readonly rejected: number;
}

/** The mail port: the notifier depends on this, tests run it against a real SMTP server. */
export interface Mailer {
  send(mail: Mail): Promise<SendResult>;
  close(): void;
}

/**
 * nodemailer over SMTP. `starttls` requires the upgrade (a server that does not offer STARTTLS is an error, not a
 * silent plain-text session); credentials travel only inside TLS unless security is `none` (loopback catcher).
 */
export function smtpMailer(s: SmtpSettings): Mailer {
  const transport: Transporter = createTransport({
    host: s.host,
    port: s.port,
    secure: s.security === 'tls',
    requireTLS: s.security === 'starttls',
    ignoreTLS: s.security === 'none',
    ...(s.auth ? { auth: { user: s.auth.user, pass: s.auth.pass } } : {}),
    tls: { rejectUnauthorized: s.verifyTls },
    connectionTimeout: s.timeoutMs,
    greetingTimeout: s.timeoutMs,
    socketTimeout: s.timeoutMs,
    pool: true,
    maxConnections: 1,
  });
  return {
    async send(mail) {
      const info = await transport.sendMail({
        from: mail.from,
        to: [...mail.to],
        subject: mail.rendered.subject,
        text: mail.rendered.text,
        html: mail.rendered.html,
        messageId: mail.messageId,
        headers: { ...mail.headers },
        list: { unsubscribe: { url: mail.unsubscribe, comment: 'Stop lead notices for this offer' } },
      });
      const accepted = Array.isArray(info.accepted) ? info.accepted.length : 0;
      const rejected = Array.isArray(info.rejected) ? info.rejected.length : 0;
      return { accepted, rejected };
    },
    close() {
      transport.close();
    },
  };
}
