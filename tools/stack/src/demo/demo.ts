import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { Agent, fetch as undiciFetch } from 'undici';
import { kafkajsSecurity, PRINCIPALS } from '@leadflow/kafka';
import { azuriteConnectionString } from '@leadflow/local-infra';
import { DESTINATION_TYPES, Headers } from '@leadflow/lead-model';
import { DYNAMICS_SCENARIOS, MARKETO_SCENARIOS, SALESFORCE_SCENARIOS } from '@leadflow/simulators';
import { DEMO_SIGNING_SECRET, DEV_CONSOLE_TOKEN, kafkaBrokers, simulatorTlsDir } from '../components';
import { kafkaClientEnv, stackAdminSecurity } from '../kafka-security';
import { leadctlIdentityEnv, localAccessToken } from '../identity';
import type { StackConfig } from '../stack.config';
import { IngestClient } from './ingest-client';
import { watchPipeline, type Seen } from './pipeline';
import { loadSamples } from './samples';
import { renderTable } from './table';

/** Each demo publisher's notification contact (docs/notifications.md): its notices land in the stack's Mailpit. */
export const demoContacts = (offerId: string) => ({
  notifications: { contacts: [`sales-ops@${offerId.split('.')[0]}.example`] },
});

/** The sample offers a publisher would configure, one per kind of route, and one left unconfigured. */
function sampleOffers(cfg: StackConfig): { offerId: string; destination: unknown; crm?: true }[] {
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
    ...crmOffers(cfg),
  ];
}

/**
 * Offers of the three CRMs, against the local simulators (their wire formats, over HTTPS with the stack's CA):
 * each CRM with one offer that delivers and one whose configuration is wrong in the way publishers get it wrong.
 */
function crmOffers(cfg: StackConfig): { offerId: string; destination: unknown; crm: true }[] {
  const sim = (name: string) => `https://${cfg.host}:${cfg.simulatorPorts[name]}`;
  const D = DYNAMICS_SCENARIOS;
  const aad = (tenantId: string) => ({ kind: 'aad', tenantId, clientId: D.client.ok, clientSecret: D.secret.ok });
  const dynamics = (tenantId: string) => ({
    type: 'dynamics',
    url: `${sim('DATAVERSE')}/${D.instance.ok}`,
    authorityHost: sim('ENTRA'),
    auth: aad(tenantId),
  });
  const S = SALESFORCE_SCENARIOS;
  const M = MARKETO_SCENARIOS;
  const marketo = (formId: number) => ({
    type: 'marketo',
    munchkinId: M.munchkin.ok,
    clientId: 'leadflow-demo',
    clientSecret: 'demo-secret',
    formId,
    baseUrl: `${sim('MARKETO')}/${M.munchkin.ok}`,
  });
  return [
    // Its own route topic: a noisy publisher isolated from the others.
    {
      offerId: 'northwind.lead-router',
      destination: { ...dynamics(D.tenant.ok), topicSuffix: 'northwind' },
      crm: true,
    },
    // A Directory (tenant) ID that names no directory: the marketplace's own "Tenant not found" error.
    { offerId: 'woodgrove.wrong-directory', destination: dynamics(D.tenant.notFound), crm: true },
    {
      offerId: 'contoso.sales-cloud',
      destination: {
        type: 'salesforce',
        mode: 'api',
        loginUrl: sim('SALESFORCE'),
        clientId: S.clients.ok,
        clientSecret: S.clientSecret,
        externalIdField: 'LeadflowId__c',
      },
      crm: true,
    },
    {
      offerId: 'contoso.web-form',
      destination: {
        type: 'salesforce',
        mode: 'web-to-lead',
        orgId: S.orgs.ok,
        webToLeadUrl: `${sim('SALESFORCE')}/servlet/servlet.WebToLead?encoding=UTF-8`,
      },
      crm: true,
    },
    // Lead Source is a restricted picklist in the org: the marketplace's documented trap.
    {
      offerId: 'litware.picklist',
      destination: {
        type: 'salesforce',
        mode: 'api',
        loginUrl: sim('SALESFORCE'),
        clientId: S.clients.restrictedPicklist,
        clientSecret: S.clientSecret,
      },
      crm: true,
    },
    // The marketplace's Marketo way: a Munchkin ID and the Form ID smart campaigns trigger on.
    { offerId: 'adventure.marketing', destination: marketo(1179), crm: true },
    // A form without the company, phone, title and country fields leadflow fills.
    { offerId: 'proseware.short-form', destination: marketo(M.formId.lackingFields), crm: true },
  ];
}

/** The tail of a lead id: UUIDv7s made in the same moment share their leading (time) digits. */
const short = (id: string) => id.slice(-8);

export interface DemoReport {
  /** How many notices the notifier e-mailed to the demo publishers' contacts during this run (read from Mailpit). */
  readonly notices: number;
  /** The analyst's loop: the misconfigured offer's dead letters replayed after its fix, and how many were delivered. */
  readonly replay: { readonly offerId: string; readonly replayed: readonly string[]; readonly delivered: number };
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
  const startedAt = Date.now();
  // Signed tokens from the local OIDC issuer (client credentials), verified by ingest against the issuer's keys.
  const ingest = new IngestClient(
    `http://${cfg.host}:${cfg.ingestPort}`,
    await localAccessToken(cfg, 'leadflow-producer', 'dev-producer-secret'),
    await localAccessToken(cfg, 'leadflow-operator', 'dev-operator-secret'),
  );

  out("\n1. A publisher configures each offer's destination (PUT /v1/offers/{offerId}/destination)\n");
  const leadUrls = new Map<string, string>();
  const expected = new Map<string, { label: string; offerId: string }>();
  const offerRows: string[][] = [];
  for (const { offerId, destination } of sampleOffers(cfg)) {
    const r = await ingest.putDestination(offerId, { ...(destination as object), ...demoContacts(offerId) });
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
  for (const { offerId } of crmOffers(cfg)) {
    const r = await ingest.postLead({
      offerId,
      source: 'AzureMarketplace',
      action: 'INS',
      offerTitle: 'Lead Router',
      customer: {
        firstName: 'Robin',
        lastName: 'Park',
        email: `robin.${offerId.split('.')[0]}@example.com`,
        company: 'Contoso',
        phone: '+1 425 555 0100',
        country: 'US',
        title: 'CTO',
      },
      description: 'Asked for a demo',
    });
    expected.set(r.leadId, { label: 'canonical, CRM destination', offerId });
  }
  out(`${expected.size} leads accepted (202 after the broker acknowledged each).`);

  out("\n3. The router routes each lead to its offer's destination topic\n");
  const wanted = new Set(expected.keys());
  const routed = (seen: readonly Seen[]) =>
    wanted.size === new Set(seen.filter((s) => /^leads\.(route|dlq\.router)/.test(s.topic)).map((s) => s.leadId)).size;
  const seen = await watchPipeline(
    kafkaBrokers(cfg),
    /^leads\.(route|dlq)\..+/,
    wanted,
    routed,
    60_000,
    kafkajsSecurity(stackAdminSecurity(cfg)),
  );
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

  out(
    '\n4. The sinks deliver: Azure Table (Azurite), the HTTPS endpoint, Dynamics, Salesforce and Marketo (simulators); failures are classified\n',
  );
  const sinkTypes = new Set<string>(DESTINATION_TYPES);
  const forSinks = [...expected].filter(([id]) => {
    const topic = byLead.get(id)?.topic ?? '';
    return sinkTypes.has(topic.replace(/^leads\.route\./, '').split('.')[0] ?? '');
  });
  const sinkWanted = new Set(forSinks.map(([id]) => id));
  const settled = (seenNow: readonly Seen[]) =>
    new Set(
      seenNow
        .filter(
          (x) => x.topic === 'leads.delivered' || (x.topic.startsWith('leads.dlq.') && x.topic !== 'leads.dlq.router'),
        )
        .map((x) => x.leadId),
    ).size >= sinkWanted.size;
  const outcomes = await watchPipeline(
    kafkaBrokers(cfg),
    /^leads\.(delivered|dlq\.(https|azure-table|dynamics|salesforce|marketo))$/,
    sinkWanted,
    settled,
    60_000,
    kafkajsSecurity(stackAdminSecurity(cfg)),
  );
  const outcome = new Map(outcomes.map((x) => [x.leadId, x]));
  out(
    renderTable(
      ['lead', 'offer', 'destination', 'outcome', 'attempts', 'detail'],
      forSinks.map(([id, e]) => {
        const o = outcome.get(id);
        if (!o) return [short(id), e.offerId, '', 'NOT SETTLED', '', ''];
        if (o.topic === 'leads.delivered') {
          const r = JSON.parse(o.value) as {
            destination: string;
            attempts: number;
            externalId?: string;
            unconfirmed?: boolean;
          };
          const detail = r.unconfirmed ? 'unconfirmed (Web-to-Lead answers the same either way)' : (r.externalId ?? '');
          return [short(id), e.offerId, r.destination, 'delivered', String(r.attempts), detail];
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

  out(`\nWhat reached the CRMs (the simulators' records):\n`);
  out(renderTable(['CRM', 'records'], await crmRecords(cfg)));

  out("\n5. Each offer's validation status (GET /v1/offers/{offerId}/status)\n");
  const statusRows: string[][] = [];
  for (const { offerId } of sampleOffers(cfg)) {
    const st = await ingest.status(offerId);
    statusRows.push([offerId, st.validation.status, st.validation.errorClass ?? '']);
  }
  out(renderTable(['offer', 'validation', 'error class'], statusRows));

  out("\nA publisher's token reaches its own offers only (another publisher's answers 404, as if it did not exist)\n");
  const contoso = await localAccessToken(cfg, 'contoso-publisher', 'dev-contoso-secret');
  const isolation: string[][] = [];
  for (const offerId of ['contoso.crm-connector', 'fabrikam.analytics-suite']) {
    const status = await ingest.statusCode(offerId, contoso);
    isolation.push(['contoso-publisher', `GET /v1/offers/${offerId}/status`, String(status)]);
    const want = offerId.startsWith('contoso.') ? 200 : 404;
    if (status !== want) throw new Error(`contoso-publisher on ${offerId} answered ${status}, not ${want}`);
  }
  out(renderTable(['client', 'request', 'status'], isolation));

  const unsettled = [...sinkWanted].filter((id) => !outcome.has(id));
  out();
  if (unsettled.length > 0)
    throw new Error(`${unsettled.length} lead(s) routed to a sink but not settled: ${unsettled.map(short).join(', ')}`);
  out(
    `All ${wanted.size} leads accounted for: ${wanted.size - dead.length} routed, ${dead.length} dead-lettered by the router; ${sinkWanted.size} settled by the sinks.`,
  );

  const replay = await analystLoop(cfg, ingest, out);
  out(
    `\nThe console shows these dead letters, each lead's history and replay: http://${cfg.host}:${cfg.consolePort}/#/ (token: ${DEV_CONSOLE_TOKEN})`,
  );
  const notices = await showNotices(cfg, out, startedAt);
  return {
    notices,
    replay,
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

/** What each CRM simulator stored, read from its `/_state` (the stack's CA verifies it, as it does for the sinks). */
async function crmRecords(cfg: StackConfig): Promise<string[][]> {
  const dispatcher = new Agent({ connect: { ca: readFileSync(join(simulatorTlsDir(cfg), 'ca.pem'), 'utf8') } });
  const state = async (name: string): Promise<unknown> =>
    (await undiciFetch(`https://${cfg.host}:${cfg.simulatorPorts[name]}/_state`, { dispatcher })).json();
  const dataverse = (await state('DATAVERSE')) as { leads: unknown[] };
  const salesforce = (await state('SALESFORCE')) as { leads: unknown[]; dropped: unknown[] };
  const marketo = (await state('MARKETO')) as { munchkins: Record<string, { leads: unknown[]; formFills: unknown[] }> };
  const mk = Object.values(marketo.munchkins);
  return [
    ['Dataverse (Dynamics 365)', `${dataverse.leads.length} lead record(s)`],
    ['Salesforce', `${salesforce.leads.length} Lead record(s); Web-to-Lead dropped ${salesforce.dropped.length}`],
    [
      'Marketo',
      `${mk.reduce((n, m) => n + m.leads.length, 0)} person(s), ${mk.reduce((n, m) => n + m.formFills.length, 0)} form fill(s)`,
    ],
  ];
}

/** Runs leadctl, the analysts' CLI, as they would (`./dev leadctl ...`), and prints what it prints. */
function leadctl(cfg: StackConfig, args: readonly string[], out: (line?: string) => void): string {
  out(`$ leadctl ${args.join(' ')}`);
  const r = spawnSync(process.execPath, ['-r', '@swc-node/register', 'apps/leadctl/src/main.ts', ...args], {
    cwd: cfg.root,
    encoding: 'utf8',
    env: {
      ...process.env,
      KAFKA_BROKERS: kafkaBrokers(cfg),
      LEADFLOW_INGEST_URL: `http://${cfg.host}:${cfg.ingestPort}`,
      // leadctl gets its own signed token from the local issuer, as an operator's would from Entra.
      ...leadctlIdentityEnv(cfg, 'leadflow-operator', 'dev-operator-secret'),
      NODE_EXTRA_CA_CERTS: join(simulatorTlsDir(cfg), 'ca.pem'),
      ...kafkaClientEnv(cfg, PRINCIPALS.leadctl),
    },
  });
  out(r.stdout.trimEnd());
  if (r.status !== 0) throw new Error(`leadctl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/**
 * The analyst's loop on the rotated-key offer: see what was not delivered and why, fix the destination, replay the
 * offer's dead letters once the validation lead passes, and see them delivered.
 */
async function analystLoop(
  cfg: StackConfig,
  ingest: IngestClient,
  out: (line?: string) => void,
): Promise<DemoReport['replay']> {
  const offerId = 'tailspin.misconfigured';
  out("\n6. The analyst's loop: what was not delivered and why, the fix, the replay\n");
  leadctl(cfg, ['dlq', 'summary'], out);
  out(`\nThe publisher pastes the current storage key (PUT /v1/offers/${offerId}/destination, version 2).`);
  await ingest.putDestination(offerId, {
    type: 'azure-table',
    connectionString: azuriteConnectionString(cfg.host, cfg.azuritePort),
    ...demoContacts(offerId),
  });
  const deadline = Date.now() + 60_000;
  while ((await ingest.status(offerId)).validation.status !== 'passed') {
    if (Date.now() > deadline) throw new Error(`${offerId}: the validation lead of the fixed destination did not pass`);
    await new Promise((r) => setTimeout(r, 250));
  }
  out('Its validation lead passed.\n');
  const listed = leadctl(cfg, ['dlq', 'list', '--offer', offerId, '--json'], () => undefined)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { leadId: string }).leadId);
  leadctl(cfg, ['dlq', 'replay', '--offer', offerId], out);
  const wanted = new Set(listed);
  const delivered = await watchPipeline(
    kafkaBrokers(cfg),
    /^leads\.delivered$/,
    wanted,
    (seen) => new Set(seen.map((x) => x.leadId)).size >= wanted.size,
    60_000,
    kafkajsSecurity(stackAdminSecurity(cfg)),
  );
  const count = new Set(delivered.map((d) => d.leadId)).size;
  out(`\n${count} of ${wanted.size} replayed lead(s) delivered to Azure Table.`);
  leadctl(cfg, ['dlq', 'summary', '--offer', offerId], out);
  return { offerId, replayed: listed, delivered: count };
}

/**
 * The publishers' side: the notifier's e-mails in Mailpit (new leads, the broken destinations with their remediation,
 * the fixed one). Waits until the inbox has been quiet for 3 s (at most 30 s), prints it, and the URL to read it.
 */
async function showNotices(cfg: StackConfig, out: (line?: string) => void, since: number): Promise<number> {
  const base = `http://${cfg.host}:${cfg.mailpitHttpPort}`;
  out("\n7. The publishers' contacts are told, without customer data (the notifier, through Mailpit)\n");
  type Summary = { Subject: string; To: { Address: string }[]; Created: string };
  const list = async () =>
    (
      (await (await fetch(`${base}/api/v1/messages?limit=200`)).json()) as { total: number; messages: Summary[] }
    ).messages.filter((m) => Date.parse(m.Created) >= since - 1_000);
  let last = -1;
  let quietSince = Date.now();
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const n = (await list()).length;
    if (n !== last) {
      last = n;
      quietSince = Date.now();
    } else if (n > 0 && Date.now() - quietSince >= 3_000) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const mails = (await list()).reverse();
  out(
    renderTable(
      ['to', 'subject'],
      mails.map((m) => [m.To.map((t) => t.Address).join(', '), m.Subject]),
    ),
  );
  out(`\n${mails.length} notice(s). Read them in Mailpit: ${base}/`);
  return mails.length;
}
