import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import {
  deadLetterHeaders,
  DLQ_STAGES,
  dlqCategory,
  leadCloudEventHeaders,
  Topics,
  type DeliveryReceipt,
  type ErrorClass,
  type Lead,
  type NoticeRecord,
  type OfferDestinationRecord,
} from '@leadflow/lead-model';
import { createProducer } from '@leadflow/kafka';
import { freePort, freePorts, mailpitTlsFiles, startMailpit, type SpawnedProcess } from '@leadflow/local-infra';
import { createTestTopics, readTopic, testKafka, testProcessEnv, testTlsDir, uniqueName } from '@leadflow/testing';

const ROOT = join(__dirname, '..', '..', '..');

/** One message as Mailpit's REST API lists it, with its full text, HTML and raw headers. */
export interface Mail {
  readonly id: string;
  readonly subject: string;
  readonly to: string[];
  readonly text: string;
  readonly html: string;
  readonly raw: string;
  readonly noticeKey: string;
  readonly noticeKind: string;
}

/** A Mailpit for one test file: free loopback ports, STARTTLS required, AUTH accepted, a temporary database. */
export class TestMailpit {
  private constructor(
    readonly host: string,
    readonly smtpPort: number,
    readonly httpPort: number,
    private readonly opts: { allowedRecipients?: string },
    private proc: SpawnedProcess | undefined,
    private readonly dir: string,
  ) {}

  static async start(opts: { allowedRecipients?: string } = {}): Promise<TestMailpit> {
    const [smtpPort, httpPort] = await freePorts(2);
    const dir = mkdtempSync(join(tmpdir(), 'mailpit-'));
    if (smtpPort === undefined || httpPort === undefined) throw new Error('no free ports');
    const m = new TestMailpit('127.0.0.1', smtpPort, httpPort, opts, undefined, dir);
    await m.resume();
    return m;
  }

  get url(): string {
    return `http://${this.host}:${this.httpPort}`;
  }

  /** Starts (again) on the same ports and database: an SMTP server that comes back. */
  async resume(): Promise<void> {
    const tlsDir = testTlsDir();
    this.proc = await startMailpit({
      host: this.host,
      smtpPort: this.smtpPort,
      httpPort: this.httpPort,
      database: join(this.dir, 'mailpit.db'),
      logFile: join(this.dir, 'mailpit.log'),
      detached: false,
      tls: mailpitTlsFiles(tlsDir),
      ...(this.opts.allowedRecipients ? { allowedRecipients: this.opts.allowedRecipients } : {}),
    });
  }

  /** Stops the server (its mail is kept in the database): an SMTP server that is down. */
  async pause(): Promise<void> {
    await this.proc?.stop(5_000);
    this.proc = undefined;
  }

  async stop(): Promise<void> {
    await this.pause();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async api<T>(path: string): Promise<T> {
    const res = await fetch(`${this.url}${path}`);
    if (!res.ok) throw new Error(`Mailpit ${path}: ${res.status}`);
    return (await res.json()) as T;
  }

  /** Every message whose headers match the search (Mailpit search syntax), oldest first, read in full. */
  async messages(query?: string): Promise<Mail[]> {
    const out: Mail[] = [];
    for (let start = 0; ; start += 500) {
      const path = query
        ? `/api/v1/search?query=${encodeURIComponent(query)}&start=${start}&limit=500`
        : `/api/v1/messages?start=${start}&limit=500`;
      const page = await this.api<{ total?: number; messages_count?: number; messages: { ID: string }[] }>(path);
      for (const summary of page.messages) {
        const full = await this.api<{ Subject: string; To: { Address: string }[]; Text: string; HTML: string }>(
          `/api/v1/message/${summary.ID}`,
        );
        const raw = await fetch(`${this.url}/api/v1/message/${summary.ID}/raw`).then((r) => r.text());
        const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(raw)?.[1]?.trim() ?? '';
        out.push({
          id: summary.ID,
          subject: full.Subject,
          to: full.To.map((t) => t.Address),
          text: full.Text,
          html: full.HTML,
          raw,
          noticeKey: header('X-Leadflow-Notice-Key'),
          noticeKind: header('X-Leadflow-Notice'),
        });
      }
      if (page.messages.length < 500) break;
    }
    return out.reverse();
  }

  /** How many messages Mailpit holds (cheap: one summary page). */
  async count(): Promise<number> {
    const page = await this.api<{ total: number }>('/api/v1/messages?limit=1');
    return page.total;
  }

  /** Polls until `predicate` holds over the inbox, or fails after `timeoutMs` with what was there. */
  async waitFor(predicate: (mails: Mail[]) => boolean, timeoutMs = 30_000, query?: string): Promise<Mail[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mails = await this.messages(query);
      if (predicate(mails)) return mails;
      if (Date.now() > deadline)
        throw new Error(
          `Mailpit did not reach the expected state; it holds: ${mails.map((m) => m.noticeKey).join(', ')}`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** A notifier on its own topics (a unique prefix), talking to a TestMailpit. */
export class NotifierHarness {
  readonly kafka: Kafka = testKafka();
  readonly prefix = `${uniqueName('ntf')}.`;
  private producer: Producer | undefined;
  private cleanup: (() => Promise<void>) | undefined;
  private proc: ChildProcess | undefined;
  exits = 0;
  /** The running process's ops port (`/readyz`, `/metrics`). */
  opsPort = 0;

  constructor(
    readonly mailpit: TestMailpit,
    private readonly env: Record<string, string> = {},
  ) {}

  topic(name: string): string {
    return `${this.prefix}${name}`;
  }

  async setup(): Promise<void> {
    this.cleanup = await createTestTopics(
      this.kafka,
      [
        Topics.delivered,
        Topics.replayLedger,
        Topics.offerDestinations,
        Topics.noticesSent,
        Topics.notifierDlq,
        ...DLQ_STAGES.map((s) => Topics.dlq(s)),
      ].map((t) => this.topic(t)),
      1,
    );
    this.producer = createProducer(this.kafka);
    await this.producer.connect();
  }

  /** Starts the notifier process from its TypeScript source; resolves once `/readyz` answers 200. */
  async start(extra: Record<string, string> = {}): Promise<void> {
    const port = await freePort();
    this.opsPort = port;
    this.proc = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/notifier/src/main.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...testProcessEnv(),
        LEADFLOW_TOPIC_PREFIX: this.prefix,
        LEADFLOW_NOTIFIER_PORT: String(port),
        LEADFLOW_LOG_LEVEL: 'error',
        LEADFLOW_SMTP_HOST: this.mailpit.host,
        LEADFLOW_SMTP_PORT: String(this.mailpit.smtpPort),
        LEADFLOW_SMTP_SECURITY: 'starttls',
        LEADFLOW_SMTP_USER: 'notifier',
        LEADFLOW_SMTP_PASSWORD: 'test-password',
        LEADFLOW_SMTP_TIMEOUT_MS: '5000',
        LEADFLOW_NOTIFIER_FROM: 'leads@leadflow.example',
        LEADFLOW_NOTIFIER_UNSUBSCRIBE_URL: 'mailto:unsubscribe@leadflow.example?subject=unsubscribe%20{offerId}',
        LEADFLOW_NOTIFIER_RETRY_BASE_MS: '200',
        LEADFLOW_NOTIFIER_RETRY_MAX_MS: '2000',
        LEADFLOW_NOTIFIER_SESSION_TIMEOUT_MS: '10000',
        LEADFLOW_SHUTDOWN_TIMEOUT_MS: '5000',
        ...this.env,
        ...extra,
      },
    });
    this.proc.once('exit', () => (this.exits += 1));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ready) return;
      if (Date.now() > deadline) throw new Error('notifier did not become ready');
      if (this.proc.exitCode !== null) throw new Error(`notifier exited with ${this.proc.exitCode}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Ends the process: SIGTERM (graceful) or SIGKILL (a crash); resolves once it exited. */
  async kill(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(signal);
    await exited;
  }

  async close(): Promise<void> {
    await this.kill('SIGKILL');
    await this.producer?.disconnect();
    await this.cleanup?.();
  }

  private send(...args: Parameters<Producer['send']>) {
    if (!this.producer) throw new Error('setup() first');
    return this.producer.send(...args);
  }

  async putOffer(offerId: string, version: number, destination: Record<string, unknown>): Promise<void> {
    const record: OfferDestinationRecord = {
      offerId,
      version,
      destination: destination as OfferDestinationRecord['destination'],
      updatedAt: new Date().toISOString(),
    };
    await this.send({
      topic: this.topic(Topics.offerDestinations),
      acks: -1,
      messages: [{ key: offerId, value: JSON.stringify(record) }],
    });
  }

  async receipts(receipts: readonly DeliveryReceipt[]): Promise<void> {
    for (let i = 0; i < receipts.length; i += 500)
      await this.send({
        topic: this.topic(Topics.delivered),
        acks: -1,
        messages: receipts.slice(i, i + 500).map((r) => ({ key: r.offerId, value: JSON.stringify(r) })),
      });
  }

  /** Dead letters exactly as a sink writes them: the lead (with its customer data) as value, the dead-letter headers. */
  async deadLetters(
    stage: (typeof DLQ_STAGES)[number],
    leads: readonly Lead[],
    errorClass: ErrorClass,
    version: number,
  ): Promise<void> {
    for (let i = 0; i < leads.length; i += 500)
      await this.send({
        topic: this.topic(Topics.dlq(stage)),
        acks: -1,
        messages: leads.slice(i, i + 500).map((lead, j) => ({
          key: lead.offerId,
          value: JSON.stringify(lead),
          headers: deadLetterHeaders({
            original: leadCloudEventHeaders(lead, { source: '/test' }),
            errorClass,
            category: dlqCategory(errorClass, false),
            message: 'refused',
            originalTopic: this.topic(Topics.route(stage === 'router' ? 'https' : stage)),
            partition: 0,
            offset: String(i + j),
            sink: stage,
            attempts: 1,
            failedAt: new Date(),
            destinationVersion: version,
          }),
        })),
      });
  }

  /** Entries of the replay ledger as auto-replay writes them (libs/dead-letters), one per dead letter. */
  async replayLedger(entries: readonly { replayOf: string; by: string; leadId: string; offerId: string }[]) {
    await this.send({
      topic: this.topic(Topics.replayLedger),
      acks: -1,
      messages: entries.map((e) => ({
        key: e.replayOf,
        value: JSON.stringify({ ...e, replayedAt: new Date().toISOString() }),
      })),
    });
  }

  async noticesSent(count: number, timeoutMs = 5_000): Promise<NoticeRecord[]> {
    const records = await readTopic(this.kafka, this.topic(Topics.noticesSent), { count, timeoutMs });
    return records.map((r) => JSON.parse(r.value ?? '{}') as NoticeRecord);
  }

  async notifierDeadLetters(count: number, timeoutMs = 10_000) {
    return readTopic(this.kafka, this.topic(Topics.notifierDlq), { count, timeoutMs });
  }
}

let seq = 0;
/** A lead with customer data that must never reach a notice. */
export function leadWithPii(offerId: string, over: Partial<Lead> = {}): Lead {
  seq += 1;
  const n = `${Date.now().toString(36)}${seq}`;
  return {
    leadId: `lead-${n}`,
    offerId,
    source: 'AzureMarketplace',
    action: 'INS',
    customer: {
      firstName: `Zelda${n}`,
      lastName: `Quartermaine${n}`,
      email: `zelda.${n}@customer-corp.example`,
      phone: `+1 555 01${String(seq).padStart(4, '0')}`,
      company: `Customer Corp ${n}`,
      country: 'US',
    },
    occurredAt: new Date().toISOString(),
    isTest: false,
    piiSuppressed: false,
    ...over,
  };
}

export function receiptFor(lead: Lead, over: Partial<DeliveryReceipt> = {}): DeliveryReceipt {
  return {
    leadId: lead.leadId,
    offerId: lead.offerId,
    destination: 'https',
    attempts: 1,
    deliveredAt: new Date().toISOString(),
    isTest: lead.isTest,
    source: lead.source,
    action: lead.action,
    ...(lead.piiSuppressed ? { piiSuppressed: true } : {}),
    ...over,
  };
}

/** The customer values of a lead: none may appear anywhere in a notice. */
export function piiOf(lead: Lead): string[] {
  const c = lead.customer;
  return [c.firstName, c.lastName, c.email, c.phone ?? '', c.company ?? ''].filter((v) => v.length > 0);
}

/** The value, or a test failure naming what was missing (instead of a non-null assertion). */
export function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`expected ${what}`);
  return value;
}
