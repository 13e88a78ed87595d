import { existsSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { spawnLogged, type SpawnedProcess } from './processes';
import { waitUntil } from './ports';

/** Where `./dev setup` installs Mailpit (tools/go-tools/setup.sh). */
export const MAILPIT_BIN = resolve(__dirname, '..', '..', '..', '.local', 'go-tools', 'bin', 'mailpit');

export interface MailpitOptions {
  readonly host: string;
  readonly smtpPort: number;
  readonly httpPort: number;
  /** SQLite file for the stack; omitted → a temporary database Mailpit deletes on exit (a test). */
  readonly database?: string;
  readonly logFile: string;
  readonly detached: boolean;
  /**
   * STARTTLS with this certificate and key (PEM files), required of every client, with any user name and password
   * accepted: the notifier's production path (TLS, then AUTH) against a local server.
   */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** Only recipients matching this regular expression are accepted (others get a 5xx at RCPT TO). */
  readonly allowedRecipients?: string;
  readonly maxMessages?: number;
  readonly bin?: string;
  readonly startTimeoutMs?: number;
}

/** Mailpit's readiness endpoint answers 200 once SMTP and the API serve. */
export function mailpitAnswers(host: string, httpPort: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((ok) => {
    const req = request({ host, port: httpPort, path: '/readyz', timeout: timeoutMs }, (res) => {
      res.resume();
      ok(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => ok(false));
    req.end();
  });
}

/** Mailpit (MIT, github.com/axllent/mailpit): a real SMTP server with a web UI and a REST API, on loopback ports. */
export async function startMailpit(o: MailpitOptions): Promise<SpawnedProcess> {
  const bin = o.bin ?? MAILPIT_BIN;
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run ./dev setup`);
  const args = [
    '--listen',
    `${o.host}:${o.httpPort}`,
    '--smtp',
    `${o.host}:${o.smtpPort}`,
    '--max',
    String(o.maxMessages ?? 5_000),
    '--smtp-disable-rdns',
    // Its own mail only: no release or forwarding to a real server is configured, and no link checks leave loopback.
  ];
  if (o.database) {
    mkdirSync(resolve(o.database, '..'), { recursive: true });
    args.push('--database', o.database);
  }
  if (o.tls) {
    args.push(
      '--smtp-tls-cert',
      o.tls.certFile,
      '--smtp-tls-key',
      o.tls.keyFile,
      '--smtp-require-starttls',
      '--smtp-auth-accept-any',
    );
  }
  if (o.allowedRecipients) args.push('--smtp-allowed-recipients', o.allowedRecipients);
  const proc = spawnLogged({ command: bin, args, logFile: o.logFile, detached: o.detached });
  try {
    await waitUntil(
      `Mailpit on ${o.host}:${o.httpPort}`,
      () => mailpitAnswers(o.host, o.httpPort),
      o.startTimeoutMs ?? 20_000,
    );
  } catch (err) {
    await proc.stop(2_000);
    throw new Error(`${(err as Error).message}; see ${o.logFile}`);
  }
  return proc;
}

/** The certificate files of a TLS folder written by `writeTls` (cert.pem, key.pem). */
export function mailpitTlsFiles(dir: string): { certFile: string; keyFile: string } {
  return { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
}
