/**
 * Memory probe of the console's catch-up read without a broker: records as kafkajs hands them over (Buffers for
 * key, value and each header) decoded in batches of BATCH records by the feed's own decoders into the index; prints
 * the peak RSS and heap. Models the fetch size: a 2 MiB fetch of dead letters is ~1,700 records, 10 MiB ~8,500.
 * `node --max-old-space-size=200 --max-semi-space-size=8 -r @swc-node/register apps/console/src/probe/feed-memory.probe.ts BATCH`
 */
import { randomBytes } from 'node:crypto';
import { headersToStrings } from '@leadflow/kafka';
import { deadLetterHeaders, leadCloudEventHeaders, Topics, type ErrorClass, type Lead } from '@leadflow/lead-model';
import { ConsoleIndex } from '../index/console-index';
import { deadLetterEvent, deliveredEvent, emailHasher } from '../index/index-events';

const BATCH = Number(process.argv[2] ?? 1_700);
const DEAD_LETTERS = 200_000;
const RECEIPTS = 1_000_000;
const hash = emailHasher(randomBytes(32));
const index = new ConsoleIndex();
let peak = 0;
let peakHeap = 0;
const sample = () => {
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  peakHeap = Math.max(peakHeap, m.heapTotal);
};
const uuid = () => {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20)}`;
};
const now = Date.now();
const t0 = Date.now();
for (let i = 0; i < DEAD_LETTERS; i += BATCH) {
  const batch = [];
  for (let j = i; j < Math.min(DEAD_LETTERS, i + BATCH); j++) {
    const lead = {
      leadId: uuid(),
      offerId: `publisher${j % 50}.offer`,
      source: 'AzureMarketplace',
      action: 'INS',
      customer: { firstName: 'Ann', lastName: 'Lee', email: `ann${j}@contoso.example`, company: 'Contoso' },
      occurredAt: new Date(now).toISOString(),
      isTest: false,
      piiSuppressed: false,
    } as Lead;
    const headers = deadLetterHeaders({
      original: leadCloudEventHeaders(lead, { source: '/bench' }),
      errorClass: 'HTTPS.ENDPOINT_REJECTED' as ErrorClass,
      category: 'configuration',
      message: 'the endpoint answered 404 Not Found',
      originalTopic: Topics.route('https'),
      partition: 0,
      offset: String(j),
      sink: 'https-sink',
      attempts: 1,
      failedAt: new Date(now - (j % 10_080) * 60_000),
      destinationVersion: 1,
    });
    batch.push({
      offset: String(j),
      key: Buffer.from(lead.offerId),
      value: Buffer.from(JSON.stringify(lead)),
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
      timestamp: String(now),
    });
  }
  for (const m of batch)
    index.apply(
      deadLetterEvent(
        'https',
        { topic: 'leads.dlq.https', partition: 0, ...m, headers: headersToStrings(m.headers) },
        hash,
      ),
    );
  sample();
}
for (let i = 0; i < RECEIPTS; i += BATCH * 4) {
  const batch = [];
  for (let j = i; j < Math.min(RECEIPTS, i + BATCH * 4); j++) {
    const offerId = `publisher${j % 50}.offer`;
    batch.push({
      offset: String(j),
      key: Buffer.from(offerId),
      value: Buffer.from(
        JSON.stringify({
          leadId: uuid(),
          offerId,
          destination: j % 2 ? 'https' : 'azure-table',
          externalId: `crm-${j}`,
          attempts: 1,
          deliveredAt: new Date(now - (RECEIPTS - j) * 10).toISOString(),
          isTest: false,
        }),
      ),
      headers: {},
      timestamp: String(now),
    });
  }
  for (const m of batch) {
    const ev = deliveredEvent({ topic: 'leads.delivered', partition: 0, ...m, headers: {} });
    if (ev) index.apply(ev);
  }
  sample();
}
const mb = (n: number) => (n / 1048576).toFixed(0);
process.stdout.write(
  `batch ${BATCH}: peak RSS ${mb(peak)} MB, peak heap ${mb(peakHeap)} MB, at the end RSS ${mb(process.memoryUsage().rss)} MB, ${Date.now() - t0} ms; ${JSON.stringify(index.stats())}\n`,
);
