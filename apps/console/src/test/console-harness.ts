import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { createProducer } from '@leadflow/kafka';
import {
  deadLetterHeaders,
  DLQ_STAGES,
  leadCloudEventHeaders,
  Topics,
  type DeliveryReceipt,
  type DlqStage,
  type ErrorClass,
  type Lead,
} from '@leadflow/lead-model';
import { createLogger } from '@leadflow/observability';
import { createTestTopics, testBrokers, testKafka, uniqueName } from '@leadflow/testing';
import { createConsole, type Console } from '../composition';
import { loadConsoleConfig } from '../console.config';

export const CONSOLE_TOKEN = 'test-console-token-0123';

/** Every topic the console and the pipeline use, under `prefix`. */
export function pipelineTopics(prefix: string): string[] {
  return [
    `${prefix}${Topics.ingested}`,
    `${prefix}${Topics.delivered}`,
    `${prefix}${Topics.offerDestinations}`,
    `${prefix}${Topics.replayLedger}`,
    `${prefix}${Topics.audit}`,
    `${prefix}${Topics.quotaWaits}`,
    `${prefix}${Topics.route('https')}`,
    ...DLQ_STAGES.map((s) => `${prefix}${Topics.dlq(s)}`),
  ];
}

/** A page-less front end for API tests (the browser test serves the real bundle). */
export function stubWebDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'console-web-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dir, 'app.js'), '');
  writeFileSync(join(dir, 'styles.css'), '');
  return dir;
}

export function lead(offerId: string, i: number, over: Partial<Lead> = {}): Lead {
  return {
    leadId: randomUUID(),
    offerId,
    source: 'AzureMarketplace',
    action: 'INS',
    customer: { firstName: `Ann${i}`, lastName: 'Lee', email: `ann${i}@contoso.example`, company: 'Contoso' },
    occurredAt: new Date().toISOString(),
    isTest: false,
    piiSuppressed: false,
    ...over,
  } as Lead;
}

/** Writes records the way the pipeline does: leads on leads.ingested, dead letters with the header set, receipts. */
export class PipelineWriter {
  private readonly producer;

  constructor(
    kafka: Kafka,
    private readonly prefix: string,
  ) {
    this.producer = createProducer(kafka, {});
  }

  connect = () => this.producer.connect();
  disconnect = () => this.producer.disconnect();

  async ingested(leads: readonly Lead[]): Promise<void> {
    await this.producer.send({
      topic: `${this.prefix}${Topics.ingested}`,
      acks: -1,
      messages: leads.map((l) => ({
        key: l.offerId,
        value: JSON.stringify(l),
        headers: leadCloudEventHeaders(l, {
          source: '/test',
          traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`,
        }),
      })),
    });
  }

  async deadLetters(
    stage: DlqStage,
    errorClass: ErrorClass,
    leads: readonly Lead[],
    failedAt = new Date(),
  ): Promise<void> {
    await this.producer.send({
      topic: `${this.prefix}${Topics.dlq(stage)}`,
      acks: -1,
      messages: leads.map((l, i) => ({
        key: l.offerId,
        value: JSON.stringify(l),
        headers: deadLetterHeaders({
          original: leadCloudEventHeaders(l, { source: '/test' }),
          errorClass,
          category: 'configuration',
          message: 'the endpoint answered 404',
          originalTopic: `${this.prefix}${Topics.route('https')}`,
          partition: 0,
          offset: String(i),
          sink: `${stage}-sink`,
          attempts: 1,
          failedAt,
          destinationVersion: 1,
        }),
      })),
    });
  }

  async receipts(receipts: readonly DeliveryReceipt[]): Promise<void> {
    await this.producer.send({
      topic: `${this.prefix}${Topics.delivered}`,
      acks: -1,
      messages: receipts.map((r) => ({ key: r.offerId, value: JSON.stringify(r) })),
    });
  }
}

export interface TestConsole {
  readonly console: Console;
  readonly kafka: Kafka;
  readonly prefix: string;
  readonly address: string;
  readonly writer: PipelineWriter;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: unknown; headers: Headers }>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** A console in-process on its own prefixed topics against the test broker; `seed` writes before it starts. */
export async function startTestConsole(
  opts: {
    seed?: (w: PipelineWriter, prefix: string) => Promise<void>;
    webDir?: string;
    env?: Record<string, string>;
    /** Topic prefix shared with processes the test starts itself; a fresh one by default. */
    prefix?: string;
  } = {},
): Promise<TestConsole> {
  const kafka = testKafka();
  const prefix = opts.prefix ?? `${uniqueName('console')}.`;
  const drop = await createTestTopics(kafka, pipelineTopics(prefix), 2);
  const writer = new PipelineWriter(kafka, prefix);
  await writer.connect();
  await opts.seed?.(writer, prefix);
  const config = loadConsoleConfig({
    KAFKA_BROKERS: testBrokers().join(','),
    LEADFLOW_CONSOLE_PORT: '0',
    LEADFLOW_CONSOLE_TOKENS: `analyst=${CONSOLE_TOKEN}`,
    LEADFLOW_TOPIC_PREFIX: prefix,
    LEADFLOW_LOG_LEVEL: 'silent',
    LEADFLOW_CONSOLE_TRACE_URL: 'http://jaeger.test/trace/{traceId}',
    ...opts.env,
  });
  const c = await createConsole({
    config,
    kafka,
    defaultWebDir: opts.webDir ?? stubWebDir(),
    logger: createLogger({ service: 'console-test', level: 'silent' }),
  });
  const address = await c.listen();
  await c.whenReady();
  const headers = { authorization: `Bearer ${CONSOLE_TOKEN}` };
  return {
    console: c,
    kafka,
    prefix,
    address,
    writer,
    async get(path, h = headers) {
      const res = await fetch(`${address}${path}`, { headers: h });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
    async post(path, body, h = headers) {
      const res = await fetch(`${address}${path}`, {
        method: 'POST',
        headers: { ...h, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await c.close();
      await writer.disconnect();
      await drop();
    },
  };
}

/** Polls until `check` returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
