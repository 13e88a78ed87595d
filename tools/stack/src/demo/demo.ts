import { TableClient } from '@azure/data-tables';
import { azuriteConnectionString } from '@leadflow/local-infra';
import { Headers } from '@leadflow/lead-model';
import { DEMO_SIGNING_SECRET, DEV_ENV, kafkaBrokers } from '../components';
import type { StackConfig } from '../stack.config';
import { IngestClient } from './ingest-client';
import { watchPipeline, type Seen } from './pipeline';
import { loadSamples } from './samples';
import { renderTable } from './table';

/** The sample offers a publisher would configure, one per kind of route, and one left unconfigured. */
function sampleOffers(cfg: StackConfig): { offerId: string; destination: unknown }[] {
  return [
    {
      offerId: 'contoso.crm-connector',
      destination: {
        type: 'https',
        url: `http://${cfg.host}:${cfg.receiverPort}/leads`,
        signingSecret: DEMO_SIGNING_SECRET,
      },
    },
    {
      offerId: 'fabrikam.analytics-suite',
      destination: { type: 'azure-table', connectionString: azuriteConnectionString(cfg.host, cfg.azuritePort) },
    },
    {
      // A publisher who pasted a rotated key: its leads dead-letter as TABLE.AUTH_FAILED.
      offerId: 'tailspin.misconfigured',
      destination: {
        type: 'azure-table',
        connectionString: azuriteConnectionString(cfg.host, cfg.azuritePort).replace(
          /AccountKey=[^;]+/,
          `AccountKey=${Buffer.alloc(64, 7).toString('base64')}`,
        ),
      },
    },
    {
      // Its own route topic: a noisy publisher isolated from the others.
      offerId: 'northwind.lead-router',
      destination: {
        type: 'dynamics',
        url: 'https://northwind.crm4.dynamics.com',
        auth: {
          kind: 'aad',
          tenantId: '12345678-8af1-4a5f-1234-12234d01db47',
          clientId: '23456052-aaaa-bbbb-8662-1234df56788f',
          clientSecret: 'demo-secret',
        },
        topicSuffix: 'northwind',
      },
    },
  ];
}

/** The tail of a lead id: UUIDv7s made in the same moment share their leading (time) digits. */
const short = (id: string) => id.slice(-8);

export interface DemoReport {
  /** Every lead the demo sent (validation leads included), by id: where the router put it, where a sink settled it. */
  readonly leads: ReadonlyMap<
    string,
    {
      readonly label: string;
      readonly offerId: string;
      readonly topic?: string;
      readonly errorClass?: string;
      readonly settledOn?: string;
      readonly sinkErrorClass?: string;
    }
  >;
}

/**
 * The main job: the local pipeline with real Kafka and Azurite. A publisher configures destinations,
 * a producer posts sample leads in all three input shapes, the router routes each to its offer's
 * destination topic, and a lead for an unconfigured offer is dead-lettered with its class and remediation.
 * Throws if any lead is not accounted for.
 */
export async function runDemo(cfg: StackConfig, out: (line?: string) => void): Promise<DemoReport> {
  const ingest = new IngestClient(
    `http://${cfg.host}:${cfg.ingestPort}`,
    DEV_ENV.LEADFLOW_INGEST_TOKENS,
    DEV_ENV.LEADFLOW_ADMIN_TOKENS,
  );

  out("\n1. A publisher configures each offer's destination (PUT /v1/offers/{offerId}/destination)\n");
  const leadUrls = new Map<string, string>();
  const expected = new Map<string, { label: string; offerId: string }>();
  const offerRows: string[][] = [];
  for (const { offerId, destination } of sampleOffers(cfg)) {
    const r = await ingest.putDestination(offerId, destination);
    leadUrls.set(offerId, r.leadUrl);
    expected.set(r.validation.testLeadId, { label: 'validation lead (MSFT_TEST)', offerId });
    const d = destination as { type: string; topicSuffix?: string };
    offerRows.push([
      offerId,
      d.type,
      `v${r.version}`,
      `leads.route.${d.type}${d.topicSuffix ? `.${d.topicSuffix}` : ''}`,
      short(r.validation.testLeadId),
    ]);
  }
  out(renderTable(['offer', 'destination', 'version', 'route topic', 'validation lead'], offerRows));

  out("\n2. Producers post leads in the three input shapes (POST /v1/leads, and the offer's signed lead URL)\n");
  for (const sample of loadSamples(cfg.root)) {
    const r = sample.offerId
      ? await ingest.postToSignedUrl(leadUrls.get(sample.offerId) ?? '', sample.body)
      : await ingest.postLead(sample.body);
    const offerId = sample.offerId ?? (sample.body as { offerId?: string }).offerId ?? 'fabrikam.analytics-suite';
    expected.set(r.leadId, { label: sample.name, offerId });
  }
  const orphan = await ingest.postLead({
    offerId: 'adatum.unconfigured-offer',
    source: 'AppSource',
    action: 'PLT',
    customer: { firstName: 'Alex', lastName: 'Doe', email: 'alex@adatum.example', company: 'Adatum' },
  });
  expected.set(orphan.leadId, { label: 'canonical, offer never configured', offerId: 'adatum.unconfigured-offer' });
  const misconfigured = await ingest.postLead({
    offerId: 'tailspin.misconfigured',
    source: 'AzureMarketplace',
    action: 'INS',
    customer: { firstName: 'Sam', lastName: 'Lee', email: 'sam@tailspin.example', company: 'Tailspin' },
  });
  expected.set(misconfigured.leadId, { label: 'canonical, rotated storage key', offerId: 'tailspin.misconfigured' });
  out(`${expected.size} leads accepted (202 after the broker acknowledged each).`);

  out("\n3. The router routes each lead to its offer's destination topic\n");
  const wanted = new Set(expected.keys());
  const routed = (seen: readonly Seen[]) =>
    wanted.size === new Set(seen.filter((s) => /^leads\.(route|dlq\.router)/.test(s.topic)).map((s) => s.leadId)).size;
  const seen = await watchPipeline(kafkaBrokers(cfg), /^leads\.(route|dlq)\..+/, wanted, routed, 60_000);
  const byLead = new Map(seen.filter((s) => /^leads\.(route|dlq\.router)/.test(s.topic)).map((s) => [s.leadId, s]));
  out(
    renderTable(
      ['lead', 'input', 'offer', 'landed on', 'error class'],
      [...expected].map(([leadId, e]) => {
        const s = byLead.get(leadId);
        return [short(leadId), e.label, e.offerId, s?.topic ?? 'NOT SEEN', s?.headers[Headers.errorClass] ?? ''];
      }),
    ),
  );
  const dead = [...byLead.values()].filter((s) => s.topic.startsWith('leads.dlq.'));
  for (const d of dead) {
    out(`\nDead letter ${short(d.leadId)} on ${d.topic}:`);
    out(`  class        ${d.headers[Headers.errorClass]} (${d.headers[Headers.errorCategory]})`);
    out(`  message      ${d.headers[Headers.errorMessage]}`);
    out(`  remediation  ${d.headers[Headers.errorRemediation]}`);
    out(
      `  from         ${d.headers[Headers.originalTopic]} partition ${d.headers[Headers.originalPartition]} offset ${d.headers[Headers.originalOffset]}`,
    );
  }
  const missing = [...wanted].filter((id) => !byLead.has(id));
  if (missing.length > 0)
    throw new Error(
      `${missing.length} lead(s) not seen on a route or dead-letter topic: ${missing.map(short).join(', ')}`,
    );

  out('\n4. The sinks deliver: Azure Table (Azurite) and the HTTPS endpoint; failures are classified\n');
  const sinkTypes = new Set(['https', 'azure-table']);
  const forSinks = [...expected].filter(([id]) => {
    const topic = byLead.get(id)?.topic ?? '';
    return sinkTypes.has(topic.replace(/^leads\.route\./, '').split('.')[0] ?? '');
  });
  const sinkWanted = new Set(forSinks.map(([id]) => id));
  const settled = (seenNow: readonly Seen[]) =>
    new Set(
      seenNow
        .filter(
          (x) => x.topic === 'leads.delivered' || x.topic === 'leads.dlq.https' || x.topic === 'leads.dlq.azure-table',
        )
        .map((x) => x.leadId),
    ).size >= sinkWanted.size;
  const outcomes = await watchPipeline(
    kafkaBrokers(cfg),
    /^leads\.(delivered|dlq\.https|dlq\.azure-table)$/,
    sinkWanted,
    settled,
    60_000,
  );
  const outcome = new Map(outcomes.map((x) => [x.leadId, x]));
  out(
    renderTable(
      ['lead', 'offer', 'destination', 'outcome', 'attempts', 'detail'],
      forSinks.map(([id, e]) => {
        const o = outcome.get(id);
        if (!o) return [short(id), e.offerId, '', 'NOT SETTLED', '', ''];
        if (o.topic === 'leads.delivered') {
          const r = JSON.parse(o.value) as { destination: string; attempts: number; externalId?: string };
          return [short(id), e.offerId, r.destination, 'delivered', String(r.attempts), r.externalId ?? ''];
        }
        return [
          short(id),
          e.offerId,
          o.topic.replace('leads.dlq.', ''),
          'dead-lettered',
          o.headers[Headers.attempts] ?? '',
          o.headers[Headers.errorClass] ?? '',
        ];
      }),
    ),
  );
  for (const o of outcomes.filter((x) => x.topic.startsWith('leads.dlq.'))) {
    out(`\n  ${short(o.leadId)} ${o.headers[Headers.errorClass]}: ${o.headers[Headers.errorRemediation]}`);
  }

  const rows = await tableRows(cfg);
  out(`\nAzurite table MarketplaceLeads now holds ${rows.length} lead(s) (PartitionKey = offer, RowKey = lead id):\n`);
  out(
    renderTable(
      ['PartitionKey', 'RowKey', 'LeadSource', 'ActionCode', 'Company'],
      rows.slice(-5).map((r) => [r.partitionKey, short(r.rowKey), r.LeadSource, r.ActionCode, r.company]),
    ),
  );
  const received = (await (await fetch(`http://${cfg.host}:${cfg.receiverPort}/received`)).json()) as {
    leadId?: string;
    signature: string;
    leadSource?: string;
  }[];
  out(
    `\nThe HTTPS endpoint (local receiver) got ${received.length} POST(s); signatures: ${[...new Set(received.map((r) => r.signature))].join(', ')}.`,
  );

  out("\n5. Each offer's validation status (GET /v1/offers/{offerId}/status)\n");
  const statusRows: string[][] = [];
  for (const { offerId } of sampleOffers(cfg)) {
    const st = await ingest.status(offerId);
    statusRows.push([offerId, st.validation.status, st.validation.errorClass ?? '']);
  }
  out(renderTable(['offer', 'validation', 'error class'], statusRows));
  out("\n(The dynamics offer's leads wait on leads.route.dynamics.northwind for the Dynamics sink.)");

  const unsettled = [...sinkWanted].filter((id) => !outcome.has(id));
  out();
  if (unsettled.length > 0)
    throw new Error(`${unsettled.length} lead(s) routed to a sink but not settled: ${unsettled.map(short).join(', ')}`);
  out(
    `All ${wanted.size} leads accounted for: ${wanted.size - dead.length} routed, ${dead.length} dead-lettered by the router; ${sinkWanted.size} settled by the sinks.`,
  );
  return {
    leads: new Map(
      [...expected].map(([leadId, e]) => {
        const r = byLead.get(leadId);
        const o = outcome.get(leadId);
        return [
          leadId,
          {
            ...e,
            ...(r ? { topic: r.topic } : {}),
            ...(r?.headers[Headers.errorClass] ? { errorClass: r.headers[Headers.errorClass] } : {}),
            ...(o
              ? {
                  settledOn: o.topic,
                  ...(o.headers[Headers.errorClass] ? { sinkErrorClass: o.headers[Headers.errorClass] } : {}),
                }
              : {}),
          },
        ];
      }),
    ),
  };
}

async function tableRows(
  cfg: StackConfig,
): Promise<{ partitionKey: string; rowKey: string; LeadSource: string; ActionCode: string; company: string }[]> {
  const client = TableClient.fromConnectionString(
    azuriteConnectionString(cfg.host, cfg.azuritePort),
    'MarketplaceLeads',
    { allowInsecureConnection: true },
  );
  const rows: { partitionKey: string; rowKey: string; LeadSource: string; ActionCode: string; company: string }[] = [];
  for await (const e of client.listEntities<{ LeadSource: string; ActionCode: string; CustomerInfo: string }>()) {
    const company = (JSON.parse(e.CustomerInfo || '{}') as { Company?: string }).Company ?? '';
    rows.push({
      partitionKey: e.partitionKey ?? '',
      rowKey: e.rowKey ?? '',
      LeadSource: e.LeadSource,
      ActionCode: e.ActionCode,
      company,
    });
  }
  return rows;
}
