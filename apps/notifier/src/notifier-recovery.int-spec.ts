import { leadWithPii, NotifierHarness, receiptFor, TestMailpit } from './notifier.int-harness';

const contacts = { notifications: { contacts: ['ops@recovery.example'] } };

describe('notifier recovery (a real process, Mailpit, broker)', () => {
  let mailpit: TestMailpit;
  let h: NotifierHarness;

  beforeAll(async () => {
    mailpit = await TestMailpit.start();
    // One notice per lead: every lead is an event whose notice can be lost or repeated.
    h = new NotifierHarness(mailpit, { LEADFLOW_NOTIFIER_DIGEST_ABOVE: '100000' });
    await h.setup();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await mailpit?.stop();
  });

  it('SIGKILLed three times between a send and its record: no notice lost, at most one repeat per crash', async () => {
    const offer = 'contoso.crash';
    await h.putOffer(offer, 1, { type: 'https', url: 'https://x.example/h', ...contacts });
    const leads = Array.from({ length: 100 }, () => leadWithPii(offer));
    await h.receipts(leads.map((l) => receiptFor(l)));
    const crashes = 3;
    for (let i = 1; i <= crashes; i++) {
      // 400 ms between each send and its record: a kill just after a mail arrives lands in that window.
      await h.start({ LEADFLOW_NOTIFIER_TEST_RECORD_DELAY_MS: '400' });
      // Kill while notices are going out: somewhere between a send and its record, or between two notices.
      const target = Math.min(leads.length - 1, (await mailpit.count()) + 5);
      const deadline = Date.now() + 60_000;
      while ((await mailpit.count()) < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await h.kill('SIGKILL');
    }
    await h.start();
    const mails = await mailpit.waitFor(
      (m) => new Set(m.map((x) => x.noticeKey)).size === leads.length,
      90_000,
      `subject:"${offer}"`,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    const settled = await mailpit.messages(`subject:"${offer}"`);
    const keys = settled.map((m) => m.noticeKey);
    const unique = new Set(keys);
    expect(unique).toEqual(new Set(leads.map((l) => `lead/${offer}/${l.leadId}`)));
    const duplicates = keys.length - unique.size;
    // One notice is in flight at a time, so a crash can repeat at most that one; here every crash did.
    expect(duplicates).toBeGreaterThanOrEqual(1);
    expect(duplicates).toBeLessThanOrEqual(crashes);
    process.stdout.write(`notifier crash test: ${leads.length} notices, ${crashes} SIGKILLs, ${duplicates} repeated\n`);
    expect(mails.length).toBeGreaterThanOrEqual(leads.length);
    await h.kill('SIGTERM');
  }, 240_000);

  it('SMTP down for 20 s: not ready meanwhile, every notice arrives once it is back', async () => {
    const offer = 'contoso.smtp-down';
    await h.putOffer(offer, 1, { type: 'https', url: 'https://x.example/h', ...contacts });
    await h.start();
    await mailpit.pause();
    const leads = Array.from({ length: 5 }, () => leadWithPii(offer));
    await h.receipts(leads.map((l) => receiptFor(l)));
    await new Promise((r) => setTimeout(r, 5_000));
    const ready = await fetch(`http://127.0.0.1:${h.opsPort}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ reason: expect.stringContaining('mail server unavailable') });
    await new Promise((r) => setTimeout(r, 15_000));
    await mailpit.resume();
    const mails = await mailpit.waitFor((m) => m.length >= leads.length, 30_000, `subject:"${offer}"`);
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await mailpit.messages(`subject:"${offer}"`)).length).toBe(leads.length);
    expect(new Set(mails.map((m) => m.noticeKey))).toEqual(new Set(leads.map((l) => `lead/${offer}/${l.leadId}`)));
    const metrics = await fetch(`http://127.0.0.1:${h.opsPort}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/leadflow_notifier_smtp_retries_total\{reason="[A-Z]+"[^}]*\} [1-9]/);
    expect((await fetch(`http://127.0.0.1:${h.opsPort}/readyz`)).status).toBe(200);
  }, 90_000);
});
