import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePorts, isAlive } from '@leadflow/local-infra';
import { TOPIC_SPECS, Topics } from '@leadflow/lead-model';
import { readStackConfig, SERVICE_PORT_VARIABLES } from './stack.config';
import { down, status, up } from './stack';
import { components, DEV_CONSOLE_TOKEN } from './components';
import { runDemo } from './demo/demo';
import { loadSamples } from './demo/samples';
import { takeStackTurn } from './test/one-stack-at-a-time';

/** A sample's customer values that identify a person or company: e-mails, phones, full names, companies. */
function customerValuesOf(body: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const o = node as Record<string, unknown>;
    const get = (...keys: string[]) =>
      keys.map((k) => o[k]).find((v): v is string => typeof v === 'string' && v.length > 0);
    const first = get('firstName', 'FirstName', 'first_name');
    const last = get('lastName', 'LastName', 'last_name');
    if (first && last) out.push(`${first} ${last}`);
    for (const v of [get('email', 'Email'), get('phone', 'Phone'), get('company', 'Company')]) if (v) out.push(v);
    for (const child of Object.values(o)) walk(child);
  };
  walk(body);
  return out;
}

/**
 * The local stack itself, on its own ports and folder (beside the test run's broker): `up` twice is
 * harmless, the topic map is created, `down` leaves no process behind.
 */
describe('./dev up / status / down', () => {
  takeStackTurn();
  const realLocal = join(__dirname, '..', '..', '..', '.local');
  let dir: string;
  let cfg: ReturnType<typeof readStackConfig>;
  const lines: string[] = [];
  const log = (l = '') => void lines.push(l);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadflow-stack-'));
    mkdirSync(join(dir, 'kafka'), { recursive: true });
    // Reuse the jars `./dev setup` resolved; everything else lives in the temporary folder.
    symlinkSync(join(realLocal, 'kafka', 'libs'), join(dir, 'kafka', 'libs'));
    const names = ['LEADFLOW_KAFKA_PORT', 'LEADFLOW_KAFKA_CONTROLLER_PORT', ...SERVICE_PORT_VARIABLES];
    const ports = await freePorts(names.length);
    cfg = readStackConfig({
      LEADFLOW_LOCAL_DIR: dir,
      ...Object.fromEntries(names.map((n, i) => [n, String(ports[i])])),
    });
  });

  afterAll(async () => {
    await down(cfg, log).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts every component, creates the topic map, reuses a healthy stack and stops every process', async () => {
    const first = await up(cfg, log);
    const names = components(cfg)
      .map((c) => c.name)
      .sort();
    expect([...first.started].sort()).toEqual(names);
    expect(first.topicsCreated.sort()).toEqual(TOPIC_SPECS.map((t) => t.name).sort());

    const running = await status(cfg);
    expect(running.every((c) => c.state === 'healthy' && c.pid !== undefined)).toBe(true);
    const pids = running.map((c) => c.pid);

    const kafka = new Kafka({
      brokers: [`${cfg.host}:${cfg.kafkaPort}`],
      clientId: 'stack-test',
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: Topics.offerDestinations, configNames: ['cleanup.policy'] }],
    });
    const meta = await admin.fetchTopicMetadata({ topics: [Topics.ingested] });
    await admin.disconnect();
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('compact');
    expect(meta.topics[0]?.partitions).toHaveLength(
      TOPIC_SPECS.find((t) => t.name === Topics.ingested)?.partitions ?? -1,
    );

    // The whole local pipeline, through the production entry points: the demo's leads all accounted for.
    const report = await runDemo(cfg, log);
    // The notifier e-mailed the demo publishers' contacts through Mailpit (new leads, broken and fixed destinations).
    expect(report.notices).toBeGreaterThan(0);
    expect(lines[lines.length - 1]).toContain(`Read them in Mailpit: http://${cfg.host}:${cfg.mailpitHttpPort}/`);
    // End to end, through the real sinks: no customer value of the demo's samples in any notice (headers or body).
    const mailpit = `http://${cfg.host}:${cfg.mailpitHttpPort}/api/v1`;
    const listed = (await (await fetch(`${mailpit}/messages?limit=500`)).json()) as { messages: { ID: string }[] };
    const raws = await Promise.all(
      listed.messages.map(async (m) => (await fetch(`${mailpit}/message/${m.ID}/raw`)).text()),
    );
    const texts = await Promise.all(
      listed.messages.map(async (m) => {
        const full = (await (await fetch(`${mailpit}/message/${m.ID}`)).json()) as { Text: string; HTML: string };
        return `${full.Text}\n${full.HTML}`;
      }),
    );
    const customerValues = loadSamples(cfg.root).flatMap((sample) => customerValuesOf(sample.body));
    expect(customerValues.length).toBeGreaterThan(8);
    for (const mail of [...raws, ...texts]) for (const value of customerValues) expect(mail).not.toContain(value);
    // The demo ends with the console's URL; the console's overview holds the demo's dead letters.
    expect(lines.join('\n')).toContain(`http://${cfg.host}:${cfg.consolePort}/#/`);
    const overview = (await (
      await fetch(`http://${cfg.host}:${cfg.consolePort}/api/overview`, {
        headers: { authorization: `Bearer ${DEV_CONSOLE_TOKEN}` },
      })
    ).json()) as { deadLetters: { groups: { offerId: string; errorClass: string }[] } };
    expect(overview.deadLetters.groups).toContainEqual(
      expect.objectContaining({ offerId: 'adatum.unconfigured-offer', errorClass: 'ROUTER.OFFER_NOT_CONFIGURED' }),
    );
    const outcomes = [...report.leads.values()];
    expect(outcomes.filter((l) => l.topic === undefined)).toEqual([]);
    expect(outcomes.find((l) => l.offerId === 'adatum.unconfigured-offer')).toMatchObject({
      topic: 'leads.dlq.router',
      errorClass: 'ROUTER.OFFER_NOT_CONFIGURED',
    });
    expect(outcomes.filter((l) => l.offerId === 'northwind.lead-router').map((l) => l.topic)).toEqual(
      Array(outcomes.filter((l) => l.offerId === 'northwind.lead-router').length).fill(
        'leads.route.dynamics.northwind',
      ),
    );
    expect(outcomes.map((l) => l.label)).toEqual(
      expect.arrayContaining(['marketplace HTTPS body', 'legacy flat form', 'canonical', 'canonical, .edu customer']),
    );
    // The sinks: delivered to Azurite and the HTTPS receiver, the rotated key classified.
    for (const l of outcomes.filter(
      (x) => x.offerId === 'contoso.crm-connector' || x.offerId === 'fabrikam.analytics-suite',
    )) {
      expect([l.label, l.settledOn]).toEqual([l.label, 'leads.delivered']);
    }
    for (const l of outcomes.filter((x) => x.offerId === 'tailspin.misconfigured')) {
      expect([l.settledOn, l.sinkErrorClass]).toEqual(['leads.dlq.azure-table', 'TABLE.AUTH_FAILED']);
    }
    // The CRMs, through their simulators: one offer each that delivers, one misconfigured the usual way.
    const settledBy = (offerId: string) => [
      ...new Set(
        outcomes.filter((l) => l.offerId === offerId).map((l) => `${l.settledOn} ${l.sinkErrorClass ?? ''}`.trim()),
      ),
    ];
    expect(settledBy('northwind.lead-router')).toEqual(['leads.delivered']);
    expect(settledBy('woodgrove.wrong-directory')).toEqual(['leads.dlq.dynamics DYNAMICS.AAD_TENANT_NOT_FOUND']);
    expect(settledBy('contoso.sales-cloud')).toEqual(['leads.delivered']);
    expect(settledBy('contoso.web-form')).toEqual(['leads.delivered']);
    expect(settledBy('litware.picklist')).toEqual(['leads.dlq.salesforce SALESFORCE.RESTRICTED_PICKLIST']);
    expect(settledBy('adventure.marketing')).toEqual(['leads.delivered']);
    expect(settledBy('proseware.short-form')).toEqual(['leads.dlq.marketo MARKETO.FORM_NOT_FOUND']);
    // The analyst's loop: the rotated-key offer's dead letters, replayed after the fix, all delivered.
    expect(report.replay.replayed.length).toBeGreaterThanOrEqual(2);
    expect(report.replay.delivered).toBe(report.replay.replayed.length);

    const second = await up(cfg, log);
    expect(second.started).toEqual([]);
    expect([...second.reused].sort()).toEqual(names);
    expect(second.topicsCreated).toEqual([]);
    expect((await status(cfg)).map((c) => c.pid)).toEqual(pids);

    await down(cfg, log);
    for (const pid of pids) expect(isAlive(pid as number)).toBe(false);
    expect((await status(cfg)).every((c) => c.state === 'stopped')).toBe(true);
  }, 240_000);
});
