import { renderNotice, escapeHtml } from './templates';
import type { BrokenNotice, DigestNotice, LeadNotice } from './notice';

const ctx = { replayHint: 'leadctl dlq replay --offer {offerId}' };
const line = {
  leadId: 'L1',
  source: 'AzureMarketplace',
  action: 'Trial',
  at: '2026-12-05T10:00:00.000Z',
  destination: 'https',
  delivered: true,
  withheld: false,
};

describe('notice templates', () => {
  it('renders a lead notice in text and HTML with the facts and the privacy notes', () => {
    const n: LeadNotice = {
      kind: 'lead',
      key: 'k',
      offerId: 'fabrikam.crm',
      recipients: [],
      eventAt: line.at,
      lead: { ...line, withheld: true },
    };
    const m = renderNotice(n, ctx);
    expect(m.subject).toBe('New lead for fabrikam.crm');
    for (const part of [m.text, m.html]) {
      for (const fact of [
        'fabrikam.crm',
        'L1',
        'AzureMarketplace',
        'Trial',
        'https',
        'delivered',
        'withheld for privacy',
      ])
        expect(part).toContain(fact);
    }
  });

  it('escapes every value in HTML', () => {
    expect(escapeHtml(`<a href="x">'&`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;');
    const n: LeadNotice = { kind: 'lead', key: 'k', offerId: 'o.<b>', recipients: [], eventAt: line.at, lead: line };
    expect(renderNotice(n, ctx).html).not.toContain('<b>');
  });

  it('renders a broken notice with class, remediation, waiting count and the replay command', () => {
    const n: BrokenNotice = {
      kind: 'broken',
      key: 'k',
      offerId: 'fabrikam.crm',
      recipients: [],
      eventAt: line.at,
      version: 3,
      destination: 'dynamics',
      errorClass: 'DYNAMICS.AAD_APP_NOT_FOUND',
      remediation: 'Check the Application (client) ID.',
      waiting: 12,
      since: line.at,
    };
    const m = renderNotice(n, ctx);
    expect(m.subject).toContain('DYNAMICS.AAD_APP_NOT_FOUND');
    for (const fact of [
      'Check the Application (client) ID.',
      'Leads waiting: 12',
      'leadctl dlq replay --offer fabrikam.crm',
      'version 3',
    ])
      expect(m.text).toContain(fact);
  });

  it('renders a digest with one row per lead', () => {
    const leads = [line, { ...line, leadId: 'L2', delivered: false, errorClass: 'HTTPS.SERVER_ERROR' }];
    const n: DigestNotice = {
      kind: 'digest',
      key: 'k',
      offerId: 'o.x',
      recipients: [],
      eventAt: line.at,
      windowStart: line.at,
      windowEnd: line.at,
      leads,
    };
    const m = renderNotice(n, ctx);
    expect(m.subject).toBe('2 new leads for o.x');
    expect(m.text).toContain('1 delivered, 1 not delivered');
    expect(m.html.match(/<tr>/g)).toHaveLength(3);
  });
});
