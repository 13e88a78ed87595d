import { randomUUID } from 'node:crypto';
import {
  formatLeadSource,
  leadCloudEventHeaders,
  parseLeadInput,
  suppressEduPii,
  Topics,
  type Lead,
} from '@leadflow/lead-model';
import { createKafka, headersToStrings } from '@leadflow/kafka';
import { readStackConfig } from '../stack.config';
import { kafkaBrokers } from '../components';
import { loadSamples } from './samples';
import { renderTable } from './table';

interface Parsed {
  readonly sample: string;
  readonly shape: string;
  readonly lead: Lead;
}

/**
 * The main job, stage 1 (foundation): sample leads in all three input shapes are parsed into the
 * canonical lead, published to `leads.ingested` on the real broker and read back.
 */
async function main(): Promise<void> {
  const cfg = readStackConfig();
  const out = (s = '') => process.stdout.write(`${s}\n`);
  const now = new Date();

  const parsed: Parsed[] = [];
  for (const sample of loadSamples(cfg.root)) {
    const result = parseLeadInput(sample.body, { offerId: sample.offerId, now, newLeadId: randomUUID });
    if (!result.ok) {
      out(`✗ ${sample.name}: ${result.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
      continue;
    }
    parsed.push({ sample: sample.name, shape: result.shape, lead: suppressEduPii(result.lead) });
  }

  const kafka = createKafka({ brokers: [kafkaBrokers(cfg)], clientId: 'leadflow-demo' });
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  await producer.send({
    topic: Topics.ingested,
    acks: -1,
    messages: parsed.map(({ lead }) => ({
      key: lead.offerId,
      value: JSON.stringify(lead),
      headers: leadCloudEventHeaders(lead, { source: '/leadflow/demo' }),
    })),
  });
  await producer.disconnect();

  const wanted = new Set(parsed.map((p) => p.lead.leadId));
  const seen = new Map<string, { partition: number; offset: string; headers: Record<string, string>; lead: Lead }>();
  const consumer = kafka.consumer({ groupId: `leadflow-demo-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: Topics.ingested, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const lead = JSON.parse(message.value?.toString('utf8') ?? 'null') as Lead | null;
      if (lead && wanted.has(lead.leadId)) {
        seen.set(lead.leadId, { partition, offset: message.offset, headers: headersToStrings(message.headers), lead });
      }
    },
  });
  const deadline = Date.now() + 30_000;
  while (seen.size < wanted.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await consumer.disconnect();

  out();
  out(`Sample leads published to ${Topics.ingested} and read back from the broker at ${kafkaBrokers(cfg)}:`);
  out();
  out(
    renderTable(
      ['input shape', 'leadId', 'offerId', 'LeadSource', 'company', 'PII', 'ce_type', 'partition@offset'],
      parsed.map(({ sample, lead }) => {
        const back = seen.get(lead.leadId);
        return [
          sample,
          lead.leadId.slice(0, 8),
          lead.offerId,
          formatLeadSource({ source: lead.source, action: lead.action, offer: lead.offerId }),
          lead.customer.company ?? '',
          lead.piiSuppressed ? 'suppressed (.edu)' : 'kept',
          back?.headers['ce_type'] ?? '',
          back ? `${back.partition}@${back.offset}` : 'NOT READ BACK',
        ];
      }),
    ),
  );
  out();
  if (seen.size !== wanted.size) throw new Error(`read back ${seen.size} of ${wanted.size} leads`);
  out(`${seen.size} of ${wanted.size} leads durable on ${Topics.ingested}.`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
