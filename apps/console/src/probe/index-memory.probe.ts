/**
 * Memory probe of the console's index alone (no Kafka, no Nest): builds it from synthetic events shaped as the feed
 * decodes them (flat strings, as JSON.parse and Buffer#toString make them) and prints the heap it holds.
 * `node --expose-gc -r @swc-node/register apps/console/src/probe/index-memory.probe.ts [deadLetters] [receipts]`
 */
import { randomBytes } from 'node:crypto';
import { ConsoleIndex } from '../index/console-index';
import type { IndexEvent } from '../index/index-events';

const DEAD_LETTERS = Number(process.argv[2] ?? 200_000);
const RECEIPTS = Number(process.argv[3] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mb = (n: number) => (n / 1048576).toFixed(1);
const flat = (s: string) => Buffer.from(s, 'latin1').toString('latin1');
const uuid = () => {
  const h = randomBytes(16).toString('hex');
  return flat(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`);
};
const report = async (label: string) => {
  gc();
  await new Promise((r) => setTimeout(r, 200));
  gc();
  const m = process.memoryUsage();
  process.stdout.write(
    `${label}: heapUsed ${mb(m.heapUsed)} MB (of ${mb(m.heapTotal)}), arrayBuffers ${mb(m.arrayBuffers)} MB, rss ${mb(m.rss)} MB\n`,
  );
};

async function main(): Promise<void> {
  await report('empty');
  const index = new ConsoleIndex({ maxDeadLetters: 250_000, maxLeads: 100_000, recentPerOffer: 20 });
  const now = Date.now();
  const classes = [
    'HTTPS.ENDPOINT_REJECTED',
    'TABLE.AUTH_FAILED',
    'ROUTER.OFFER_NOT_CONFIGURED',
    'HTTPS.ENDPOINT_UNREACHABLE',
  ];
  const dlLeads: string[] = [];
  for (let j = 0; j < DEAD_LETTERS; j++) {
    const errorClass = flat(classes[j % 4] as string);
    const stage = errorClass.startsWith('ROUTER') ? 'router' : errorClass.startsWith('TABLE') ? 'azure-table' : 'https';
    const at = now - (j % (7 * 24 * 60)) * 60_000;
    const leadId = uuid();
    if (j % 1000 === 0) dlLeads.push(leadId);
    const ev: IndexEvent = {
      kind: 'dead-lettered',
      deadLetter: {
        id: flat(`p.leads.dlq.${stage}/${j % 3}/${j}`),
        stage,
        leadId,
        offerId: flat(`publisher${j % 50}.offer`),
        errorClass,
        category: flat('configuration'),
        message: flat('the endpoint answered 404 Not Found'),
        remediation: flat('Fix the endpoint URL in the offer configuration.'),
        failedAt: flat(new Date(at).toISOString()),
        at,
        attempts: 1,
        sink: flat(`${stage}-sink`),
        destinationVersion: 1,
        isTest: false,
      },
      emailHash: flat(randomBytes(16).toString('base64url')),
    };
    index.apply(ev);
  }
  await report(`${DEAD_LETTERS} dead letters`);
  for (let j = 0; j < RECEIPTS; j++) {
    index.apply({
      kind: 'delivered',
      leadId: uuid(),
      offerId: flat(`publisher${j % 50}.offer`),
      at: now - (RECEIPTS - j) * 10,
      destination: flat(j % 2 ? 'https' : 'azure-table'),
      externalId: flat(`crm-${j}`),
      attempts: 1,
      isTest: false,
    });
  }
  await report(`+ ${RECEIPTS} receipts`);
  let found = 0;
  for (const id of dlLeads) if (index.history(id)) found += 1;
  process.stdout.write(
    `dead-lettered leads' histories found: ${found}/${dlLeads.length}; ${JSON.stringify(index.stats())}\n`,
  );
}
void main();
