import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { TableClient, TableServiceClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import { Headers } from '@leadflow/lead-model';
import { leadMessage, sampleLead } from './sample-lead';

export function benchKafka(brokers: string, clientId: string): Kafka {
  return new Kafka({ brokers: brokers.split(','), clientId, logLevel: logLevel.NOTHING });
}

/**
 * Baseline for single-lead POSTs: a bare node:http server that parses the body and awaits one
 * acks=all, idempotent send per request (what a straightforward service would do).
 */
export async function startBareHttpKafkaServer(
  kafka: Kafka,
  topic: string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
  await producer.connect();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let key = 'unknown';
      try {
        key = (JSON.parse(body) as { offerId?: string }).offerId ?? key;
      } catch {
        res.writeHead(400).end();
        return;
      }
      producer.send({ topic, acks: -1, messages: [{ key, value: body }] }).then(
        () => res.writeHead(202, { 'content-type': 'application/json' }).end('{"ok":true}'),
        () => res.writeHead(503).end(),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise((r) => server.close(r));
      await producer.disconnect();
    },
  };
}

/**
 * Raw kafkajs batched produce (acks=all, idempotent): `batch` records per send, sequential sends. With
 * `headers` the records carry the same 8 headers as ingest's records on `leads.ingested` (the CloudEvents set,
 * `traceparent` and `leadflow.accepted.at`), built once: building them is ingest's work, sending them is the baseline.
 */
export async function rawBatchedProduce(
  kafka: Kafka,
  topic: string,
  total: number,
  batch: number,
  headers = true,
): Promise<number> {
  const producer: Producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const acceptedAt = new Date().toISOString();
  const messages = Array.from({ length: batch }, (_, i) => {
    const m = leadMessage(sampleLead('contoso.bench-offer', i));
    const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;
    return headers
      ? { ...m, headers: { ...m.headers, [Headers.traceparent]: traceparent, [Headers.acceptedAt]: acceptedAt } }
      : { key: m.key, value: m.value };
  });
  const t0 = process.hrtime.bigint();
  for (let sent = 0; sent < total; sent += batch) await producer.send({ topic, acks: -1, messages });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await producer.disconnect();
  return total / seconds;
}

/** Fills a topic with `total` lead records (for consume-side benchmarks). */
/** `total` sample leads on `topic`, spread over `offers` offers (`contoso.offer-<n>`) or the offer ids given. */
export async function preload(
  kafka: Kafka,
  topic: string,
  total: number,
  offers: number | readonly string[] = 10,
): Promise<void> {
  const ids = typeof offers === 'number' ? Array.from({ length: offers }, (_, i) => `contoso.offer-${i}`) : offers;
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  for (let sent = 0; sent < total; sent += 500) {
    const n = Math.min(500, total - sent);
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: n }, (_, i) => leadMessage(sampleLead(ids[(sent + i) % ids.length], i))),
    });
  }
  await producer.disconnect();
}

/**
 * Baseline for the router: raw kafkajs transactional consume → produce (eachBatch, one transaction per
 * batch with sendOffsets + commit), copying `total` records from `from` to `to`.
 */
export async function rawTransactionalCopy(
  kafka: Kafka,
  from: string,
  to: string,
  total: number,
  groupId: string,
): Promise<number> {
  const producer = kafka.producer({ transactionalId: `${groupId}-tx`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumer = kafka.consumer({ groupId, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic: from, fromBeginning: true });
  let copied = 0;
  let t0: bigint | undefined;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      t0 ??= process.hrtime.bigint();
      const tx = await producer.transaction();
      try {
        await tx.send({
          topic: to,
          messages: batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
        });
        const last = batch.messages[batch.messages.length - 1];
        if (last) {
          await tx.sendOffsets({
            consumerGroupId: groupId,
            topics: [
              {
                topic: batch.topic,
                partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }],
              },
            ],
          });
        }
        await tx.commit();
      } catch (err) {
        await tx.abort();
        throw err;
      }
      copied += batch.messages.length;
      if (copied >= total) done();
    },
  });
  await finished;
  const seconds = Number(process.hrtime.bigint() - (t0 ?? process.hrtime.bigint())) / 1e9;
  await consumer.disconnect();
  await producer.disconnect();
  return total / seconds;
}

/** A marketplace-layout entity like the table sink writes (~500 bytes). */
export function tableEntity(partitionKey: string, i: number): TableEntity {
  const lead = sampleLead('contoso.bench-offer', i);
  return {
    partitionKey,
    rowKey: lead.leadId,
    CustomerInfo: JSON.stringify({
      FirstName: lead.customer.firstName,
      LastName: lead.customer.lastName,
      Email: lead.customer.email,
    }),
    LeadSource: 'AzureMarketplace-INS|contoso.bench-offer',
    ActionCode: 'INS',
    Description: lead.description ?? '',
    OfferTitle: lead.offerTitle ?? '',
    ProductId: lead.offerId,
    CreatedTime: lead.occurredAt,
  };
}

/** Baseline for the table sink: raw @azure/data-tables batch transactions (100 upserts each), one at a time. */
export async function rawTableBatches(connectionString: string, table: string, total: number): Promise<number> {
  await TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true }).createTable(table);
  const client = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
  const t0 = process.hrtime.bigint();
  for (let written = 0; written < total; written += 100) {
    const pk = `p${Math.floor(written / 1000)}`;
    const actions: TransactionAction[] = Array.from({ length: Math.min(100, total - written) }, (_, i) => [
      'upsert',
      tableEntity(pk, written + i),
      'Replace',
    ]);
    await client.submitTransaction(actions);
  }
  return total / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** Reference: sequential single upserts. */
export async function rawTableSingles(connectionString: string, table: string, total: number): Promise<number> {
  const client = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < total; i++) await client.upsertEntity(tableEntity('single', i), 'Replace');
  return total / (Number(process.hrtime.bigint() - t0) / 1e9);
}
