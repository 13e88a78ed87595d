import { ERROR_CATALOG, Headers, readHeaders, type DestinationType, type ErrorClass } from '@leadflow/lead-model';
import { leadWithPii, must, NotifierHarness, piiOf, receiptFor, TestMailpit, type Mail } from './notifier.int-harness';

const contacts = (offer: string) => ({ notifications: { contacts: [`ops@${offer.replace(/\./g, '-')}.example`] } });
const everywhere = (m: Mail) => [m.raw, m.text, m.html, m.subject].join('\n');

/** One configuration class per destination type: the error each type's sink raises for a misconfigured offer. */
const CONFIG_ERRORS: readonly [DestinationType, ErrorClass][] = [
  ['dynamics', 'DYNAMICS.AAD_APP_NOT_FOUND'],
  ['salesforce', 'SALESFORCE.AUTH_INVALID_CLIENT'],
  ['marketo', 'MARKETO.AUTH_FAILED'],
  ['azure-table', 'TABLE.AUTH_FAILED'],
  ['https', 'HTTPS.ENDPOINT_REJECTED'],
];

describe('notifier against Mailpit (real SMTP with STARTTLS and AUTH, real broker)', () => {
  let mailpit: TestMailpit;
  let h: NotifierHarness;

  beforeAll(async () => {
    // Only ops@… contacts are accepted; others are refused at RCPT TO (5xx), as a server refuses an unknown mailbox.
    mailpit = await TestMailpit.start({ allowedRecipients: '^ops@' });
    h = new NotifierHarness(mailpit, {
      // Digests only above 50 leads per 10-second window and offer.
      LEADFLOW_NOTIFIER_DIGEST_ABOVE: '50',
      LEADFLOW_NOTIFIER_DIGEST_WINDOW_MS: '10000',
      LEADFLOW_NOTIFIER_DIGEST_GRACE_MS: '1000',
      // The "fixed" notice of an auto-replay destination counts replays for 3 s.
      LEADFLOW_NOTIFIER_AUTO_REPLAY_SETTLE_MS: '3000',
    });
    await h.setup();
    await h.start();
  }, 90_000);

  afterAll(async () => {
    await h?.close();
    await mailpit?.stop();
  });

  it('sends one notice per delivered lead with no customer data; an .edu lead says the details were withheld', async () => {
    const offer = 'contoso.new-leads';
    await h.putOffer(offer, 1, { type: 'https', url: 'https://leads.contoso.example/hook', ...contacts(offer) });
    const lead = leadWithPii(offer);
    const edu = leadWithPii(offer, {
      piiSuppressed: true,
      customer: { firstName: '', lastName: '', email: '', company: 'Campus Ltd', country: 'US' },
    });
    await h.receipts([receiptFor(lead), receiptFor(edu)]);
    // Delivered twice (a replay): still one notice.
    await h.receipts([receiptFor(lead)]);
    const mails = await mailpit.waitFor((m) => m.length >= 2, 30_000, `subject:"${offer}"`);
    await new Promise((r) => setTimeout(r, 1_500));
    const all = await mailpit.messages(`subject:"${offer}"`);
    expect(all.map((m) => m.noticeKey).sort()).toEqual(
      [`lead/${offer}/${edu.leadId}`, `lead/${offer}/${lead.leadId}`].sort(),
    );
    const one = must(
      mails.find((m) => m.noticeKey.endsWith(lead.leadId)),
      'the lead notice',
    );
    expect(one.to).toEqual([`ops@contoso-new-leads.example`]);
    for (const fact of [offer, lead.leadId, 'AzureMarketplace', 'INS', 'https', 'delivered']) {
      expect(one.text).toContain(fact);
      expect(one.html).toContain(fact);
    }
    expect(one.raw).toMatch(
      /^List-Unsubscribe:\s+<mailto:unsubscribe@leadflow\.example\?subject=unsubscribe%20contoso\.new-leads>/m,
    );
    for (const m of all)
      for (const value of [...piiOf(lead), ...piiOf(edu)]) expect(everywhere(m)).not.toContain(value);
    const eduMail = must(
      all.find((m) => m.noticeKey.endsWith(edu.leadId)),
      'the .edu notice',
    );
    expect(eduMail.text).toContain("customer's details were withheld for privacy");
    expect(one.text).not.toContain('withheld');
  });

  it.each(CONFIG_ERRORS)(
    '%s: one "broken" notice with %s and its remediation, none for the next 100 dead letters, one "fixed"',
    async (type, errorClass) => {
      const offer = `fabrikam.broken-${type}`;
      await h.putOffer(offer, 1, { type, ...contacts(offer), autoReplay: true });
      const leads = Array.from({ length: 101 }, () => leadWithPii(offer));
      await h.deadLetters(type, leads.slice(0, 1), errorClass, 1);
      const [first] = await mailpit.waitFor((m) => m.length >= 1, 30_000, `subject:"${offer}"`);
      const broken = must(first, 'a broken notice');
      expect(broken.noticeKind).toBe('broken');
      expect(broken.noticeKey).toBe(`broken/${offer}/v1`);
      expect(broken.subject).toContain(errorClass);
      expect(broken.text).toContain(ERROR_CATALOG[errorClass].remediation);
      expect(broken.text).toContain('Leads waiting: 1');
      expect(broken.text).toContain(`leadctl dlq replay --offer ${offer}`);

      await h.deadLetters(type, leads.slice(1), errorClass, 1);
      // The publisher saves version 2; its validation lead is delivered.
      await h.putOffer(offer, 2, { type, ...contacts(offer), autoReplay: true });
      await new Promise((r) => setTimeout(r, 500));
      const validation = leadWithPii(offer, { isTest: true });
      await h.receipts([receiptFor(validation, { destination: type })]);
      // Ingest's auto-replay sends three of them again (and an operator one more, which is not auto-replay's).
      await h.replayLedger([
        ...leads.slice(0, 3).map((l, i) => ({
          replayOf: `${h.topic(`leads.dlq.${type}`)}/0/${i}`,
          by: `auto-replay ${offer} v2`,
          leadId: l.leadId,
          offerId: offer,
        })),
        { replayOf: `${h.topic(`leads.dlq.${type}`)}/0/9`, by: 'ops', leadId: leads[9]?.leadId ?? 'x', offerId: offer },
      ]);
      const mails = await mailpit.waitFor((m) => m.some((x) => x.noticeKind === 'fixed'), 30_000, `subject:"${offer}"`);
      await new Promise((r) => setTimeout(r, 1_000));
      const settled = await mailpit.messages(`subject:"${offer}"`);
      expect(settled.map((m) => m.noticeKind)).toEqual(['broken', 'fixed']);
      const fixed = must(
        mails.find((m) => m.noticeKind === 'fixed'),
        'the fixed notice',
      );
      expect(fixed.text).toContain('Leads that were waiting: 101');
      expect(fixed.text).toContain('Auto-replay: on: sent 3 lead(s) again');
      for (const m of settled) for (const l of leads) for (const v of piiOf(l)) expect(everywhere(m)).not.toContain(v);
    },
    60_000,
  );

  it("dead-letters a notice whose contact the server refuses, and other offers' notices still go out", async () => {
    const refused = 'contoso.refused-contact';
    const fine = 'contoso.fine-contact';
    await h.putOffer(refused, 1, {
      type: 'https',
      url: 'https://x.example/h',
      notifications: { contacts: ['nobody@refused.example'] },
    });
    await h.putOffer(fine, 1, { type: 'https', url: 'https://x.example/h', ...contacts(fine) });
    const a = leadWithPii(refused);
    const b = leadWithPii(fine);
    await h.receipts([receiptFor(a), receiptFor(b)]);
    const dl = must((await h.notifierDeadLetters(1, 30_000))[0], 'a notifier dead letter');
    const headers = readHeaders(dl.headers);
    expect(headers[Headers.errorClass]).toBe('NOTIFIER.RECIPIENT_REFUSED');
    expect(headers[Headers.errorMessage]).toMatch(/5\d\d/);
    expect(dl.key).toBe(`lead/${refused}/${a.leadId}`);
    expect(JSON.stringify(dl)).not.toContain('refused.example');
    const mails = await mailpit.waitFor((m) => m.length >= 1, 30_000, `subject:"${fine}"`);
    expect(mails.map((m) => m.noticeKey)).toEqual([`lead/${fine}/${b.leadId}`]);
    expect(await mailpit.messages(`subject:"${refused}"`)).toEqual([]);
  });

  it('under a burst of 1,000 leads sends at most one digest per window per offer, covering every lead', async () => {
    const offer = 'contoso.burst';
    await h.putOffer(offer, 1, { type: 'https', url: 'https://x.example/h', ...contacts(offer) });
    await new Promise((r) => setTimeout(r, 300));
    const leads = Array.from({ length: 1_000 }, () => leadWithPii(offer));
    const t0 = Date.now();
    await h.receipts(
      leads.map((l, i) => receiptFor(l, { deliveredAt: new Date(t0 + Math.floor(i / 100)).toISOString() })),
    );
    const covered = (mails: Mail[]) => {
      const ids = new Set<string>();
      for (const m of mails) for (const l of leads) if (m.text.includes(l.leadId)) ids.add(l.leadId);
      return ids.size;
    };
    const mails = await mailpit.waitFor((m) => covered(m) === leads.length, 60_000, `subject:"${offer}"`);
    const singles = mails.filter((m) => m.noticeKind === 'lead');
    const digests = mails.filter((m) => m.noticeKind === 'digest');
    const windows = new Set(digests.map((m) => m.noticeKey));
    expect(windows.size).toBe(digests.length);
    // The burst spans at most two 10-second windows: up to 50 single notices in each, then one digest each.
    expect(digests.length).toBeGreaterThanOrEqual(1);
    expect(digests.length).toBeLessThanOrEqual(2);
    expect(singles.length).toBeLessThanOrEqual(50 * digests.length);
    expect(mails.length).toBe(singles.length + digests.length);
  }, 90_000);
});
