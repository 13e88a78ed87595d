import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createProducer } from '@leadflow/kafka';
import { quotaWaitKey, Topics, type QuotaWaitRecord } from '@leadflow/lead-model';
import { freePort } from '@leadflow/local-infra';
import { OfferDestinationPublisher, parseKeyring, sealDestination } from '@leadflow/offer-table';
import { testBrokers, uniqueName } from '@leadflow/testing';
import { CONSOLE_TOKEN, eventually, lead, startTestConsole, type TestConsole } from './test/console-harness';
import { launch, overflowsHorizontally, ROOT, screenshot, seriousA11yViolations, tabTo } from './test/browser';

/**
 * The analyst's loop in Debian's Chromium against a real pipeline: the test broker, the router and the https sink
 * as processes (their built programs), a publisher's endpoint that first answers 404, the console serving its own
 * built page. Leads are counted where they land.
 */
describe('the console in a browser, against a real pipeline', () => {
  const prefix = `${uniqueName('cb')}.`;
  const keySpec = `k1:${randomBytes(32).toString('base64')}`;
  const ring = parseKeyring(keySpec);
  const received = new Set<string>();
  let receiver: Server;
  let endpoint: string;
  let publisher: OfferDestinationPublisher;
  let t: TestConsole;
  const processes: ChildProcess[] = [];
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const versions = new Map<string, number>();

  const configure = async (offerId: string, path: string) => {
    const version = (versions.get(offerId) ?? 0) + 1;
    versions.set(offerId, version);
    await publisher.put({
      offerId,
      version,
      destination: sealDestination({ type: 'https', url: `${endpoint}${path}` }, ring, offerId),
      updatedAt: new Date().toISOString(),
    });
  };
  const delivered = (leads: readonly { leadId: string }[]) => leads.filter((l) => received.has(l.leadId)).length;

  const run = async (entry: string, env: Record<string, string>): Promise<void> => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(ROOT, `dist/apps/${entry}/main.js`)], {
      cwd: ROOT,
      stdio: 'ignore',
      env: {
        ...process.env,
        KAFKA_BROKERS: testBrokers().join(','),
        LEADFLOW_TOPIC_PREFIX: prefix,
        LEADFLOW_LOG_LEVEL: 'silent',
        [`LEADFLOW_${entry.replace('-', '_').toUpperCase()}_PORT`]: String(port),
        ...env,
      },
    });
    processes.push(child);
    await eventually(
      () =>
        fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        ),
      60_000,
    );
  };

  beforeAll(async () => {
    // The page under test is the built one (./dev build: esbuild bundles preact + htm), as the stack serves it.
    const build = spawnSync(process.execPath, ['-r', '@swc-node/register', 'tools/stack/src/build/build.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);

    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url !== '/good') return void res.writeHead(404).end('{"error":"no such endpoint"}');
        received.add(String(req.headers['leadflow-lead-id']));
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    t = await startTestConsole({ prefix, webDir: join(ROOT, 'dist/apps/console/web') });
    publisher = new OfferDestinationPublisher({ kafka: t.kafka, topic: `${prefix}${Topics.offerDestinations}` });
    await publisher.connect();
    await configure('fabrikam.fine', '/good');
    await configure('contoso.broken', '/wrong');
    await configure('tailspin.broken', '/wrong');
    await run('router', { LEADFLOW_INSTANCE_ID: 'router-browser-test' });
    await run('https-sink', { LEADFLOW_SECRET_KEYS: keySpec, LEADFLOW_HTTPS_ALLOW: 'loopback' });

    browser = await launch();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    await page.goto(t.address);
    await page.getByLabel('Console token').fill(CONSOLE_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    for (const p of processes) p.kill('SIGTERM');
    await publisher?.disconnect();
    await t?.close();
    receiver?.closeAllConnections();
    receiver?.close();
  });

  let good: ReturnType<typeof lead>;
  let replayedLead: ReturnType<typeof lead>;

  it("takes the analyst from a misconfigured offer's dead letters to their delivery, with a mouse", async () => {
    // A marker that a reload would wipe: the overview must update live.
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 1));
    good = lead('fabrikam.fine', 0);
    const broken = Array.from({ length: 5 }, (_, i) => lead('contoso.broken', i + 1));
    replayedLead = broken[0] as ReturnType<typeof lead>;
    await t.writer.ingested([good, ...broken]);

    const row = page.getByTestId('group-row').filter({ hasText: 'contoso.broken' });
    await row.getByRole('cell', { name: '5', exact: true }).first().waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(1);
    await screenshot(page, 'loop-1-overview-live');

    // Open one: the remediation says what to fix.
    await row.getByRole('link', { name: /^Dead letters/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Dead letters' }).waitFor();
    await expect(page.locator('.notice').first().textContent()).resolves.toMatch(/Remediation/);
    await page.getByTestId('dead-letter-row').first().getByRole('link').first().click();
    await page.getByRole('heading', { level: 1, name: /^Lead / }).waitFor();
    const remediation = await page.locator('.history .remediation').first().textContent();
    expect(remediation).toMatch(/Remediation: .{10,}/);
    await screenshot(page, 'loop-2-lead-dead-lettered');

    // The publisher fixes the destination; the analyst replays, dry run first.
    await configure('contoso.broken', '/good');
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await row.getByRole('link', { name: /^Replay…/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Replay dead letters' }).waitFor();
    expect(await page.getByLabel('Offer').inputValue()).toBe('contoso.broken');
    await page.getByRole('button', { name: 'Dry run' }).click();
    await expect(page.getByTestId('dry-run-count').textContent()).resolves.toMatch(
      /^5 dead letter\(s\) would be replayed/,
    );
    expect(delivered(broken)).toBe(0);
    await page.getByRole('button', { name: 'Replay 5 lead(s)' }).click();
    await page.getByRole('progressbar', { name: 'Replay progress' }).waitFor();
    await page.getByTestId('replay-result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('replay-result').textContent()).toMatch(/Replayed 5 lead\(s\)/);
    await screenshot(page, 'loop-3-replay-result');

    // Delivered: counted at the destination, and on the overview without a reload.
    await eventually(async () => delivered(broken) === 5, 60_000);
    expect(delivered([good])).toBe(1);
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await eventually(async () => (await page.getByTestId('delivered-https').textContent()) === '6', 30_000);

    // A replayed lead's whole history, and a lead delivered at once.
    await page.goto(`${t.address}/#/leads/${broken[0]?.leadId}`);
    await eventually(async () => (await page.getByTestId('lead-state').textContent()) === 'delivered', 30_000);
    const kinds = await page
      .getByTestId('history-step')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    expect(kinds).toEqual(['accepted', 'routed', 'dead-lettered', 'replayed', 'replayed-in', 'routed', 'delivered']);
    await page.goto(`${t.address}/#/leads/${good.leadId}`);
    await page.getByTestId('lead-state').filter({ hasText: 'delivered' }).waitFor({ timeout: 30_000 });
    expect(
      await page.getByTestId('history-step').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind'))),
    ).toEqual(['accepted', 'routed', 'delivered']);
  }, 240_000);

  it('does the same loop with the keyboard only', async () => {
    const leads = Array.from({ length: 3 }, (_, i) => lead('tailspin.broken', i + 10));
    const ids = new RegExp(leads.map((l) => l.leadId).join('|'));
    await page.goto(`${t.address}/#/`);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await t.writer.ingested(leads);
    const row = page.getByTestId('group-row').filter({ hasText: 'tailspin.broken' });
    await row.getByRole('cell', { name: '3', exact: true }).first().waitFor({ timeout: 60_000 });

    await tabTo(page, /Dead letters of HTTPS\.ENDPOINT_REJECTED for tailspin\.broken/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Dead letters' }).waitFor();
    await tabTo(page, ids);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: /^Lead / }).waitFor();
    expect(await page.locator('.history .remediation').first().textContent()).toMatch(/Remediation: .{10,}/);

    await configure('tailspin.broken', '/good');
    await tabTo(page, /^Replay$/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Replay dead letters' }).waitFor();
    await tabTo(page, /^Offer\b/);
    await page.keyboard.type('tailspin.broken');
    await tabTo(page, /^Dry run$/);
    await page.keyboard.press('Enter');
    await page.getByTestId('dry-run-count').waitFor();
    expect(await page.getByTestId('dry-run-count').textContent()).toMatch(/^3 dead letter\(s\) would be replayed/);
    // The dry run moves focus to the confirmation, so Enter confirms it.
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document
          .activeElement?.textContent === 'Replay 3 lead(s)',
      undefined,
      { timeout: 5_000 },
    );
    await page.keyboard.press('Enter');
    await page.getByTestId('replay-result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('replay-result').textContent()).toMatch(/Replayed 3 lead\(s\)/);
    await eventually(async () => delivered(leads) === 3, 60_000);
  }, 180_000);

  it("shows an offer's leads held for a quota, updated live", async () => {
    const producer = createProducer(t.kafka, {});
    await producer.connect();
    const account = 'salesforce:00D5e000000AbCd';
    const hold = (leads: number): QuotaWaitRecord => ({
      offerId: 'northwind.quota',
      account,
      destination: 'salesforce',
      leads,
      until: new Date(Date.now() + 3 * 3_600_000).toISOString(),
      errorClass: 'SALESFORCE.DAILY_LIMIT',
      updatedAt: new Date().toISOString(),
    });
    const send = (r: QuotaWaitRecord) =>
      producer.send({
        topic: `${prefix}${Topics.quotaWaits}`,
        acks: -1,
        messages: [{ key: quotaWaitKey(r.offerId, account), value: JSON.stringify(r) }],
      });
    try {
      await send(hold(4));
      await eventually(async () => (await t.get('/api/offers/northwind.quota')).status === 200, 30_000);
      await page.goto(`${t.address}/#/offers/northwind.quota`);
      const row = page.getByTestId('quota-wait-salesforce');
      await row.getByRole('cell', { name: '4', exact: true }).waitFor({ timeout: 30_000 });
      await expect(row.locator('time').textContent()).resolves.toMatch(/^in [23] h$/);
      await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 2));
      await send(hold(7));
      await row.getByRole('cell', { name: '7', exact: true }).waitFor({ timeout: 30_000 });
      expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(2);
    } finally {
      await producer.disconnect();
    }
  }, 120_000);

  it('passes axe (no serious or critical violation) on every page, at 1280 and 390 px, without sideways scrolling', async () => {
    const pages: { name: string; hash: string; ready: () => Promise<unknown> }[] = [
      { name: 'overview', hash: '#/', ready: () => page.getByTestId('group-row').first().waitFor() },
      {
        name: 'dead-letters',
        hash: '#/dead-letters?offer=contoso.broken',
        ready: () => page.getByTestId('dead-letter-row').first().waitFor(),
      },
      { name: 'offer', hash: '#/offers/contoso.broken', ready: () => page.getByText('Version history').waitFor() },
      {
        name: 'offer-quota-wait',
        hash: '#/offers/northwind.quota',
        ready: () => page.getByTestId('quota-wait-salesforce').waitFor(),
      },
      {
        name: 'lead-delivered',
        hash: `#/leads/${good.leadId}`,
        ready: () => page.getByTestId('history-step').first().waitFor(),
      },
      {
        name: 'lead-replayed',
        hash: `#/leads/${replayedLead.leadId}`,
        ready: () => page.getByTestId('history-step').first().waitFor(),
      },
      { name: 'find-lead', hash: '#/leads', ready: () => page.getByRole('search').waitFor() },
      {
        name: 'replay',
        hash: '#/replay?offer=contoso.broken',
        ready: async () => {
          await page.getByRole('button', { name: 'Dry run' }).click();
          await page.getByTestId('dry-run-count').waitFor();
        },
      },
    ];
    const problems: string[] = [];
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      for (const p of pages) {
        await page.goto(`${t.address}/${p.hash}`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        await p.ready();
        await page.getByText('Loading…').waitFor({ state: 'detached' });
        for (const v of await seriousA11yViolations(page, `${p.name}-${width}`))
          problems.push(`${p.name} @${width}: ${v}`);
        if (await overflowsHorizontally(page)) problems.push(`${p.name} @${width}: the page scrolls sideways`);
        await screenshot(page, `${p.name}-${width}`);
      }
    }
    // The sign-in page, in a context without a token.
    const fresh = await browser.newContext({ viewport: { width: 390, height: 900 } });
    const login = await fresh.newPage();
    await login.goto(t.address);
    await login.getByLabel('Console token').waitFor();
    for (const v of await seriousA11yViolations(login, 'login-390')) problems.push(`login: ${v}`);
    await screenshot(login, 'login-390');
    await fresh.close();
    expect(problems).toEqual([]);
  }, 180_000);
});
