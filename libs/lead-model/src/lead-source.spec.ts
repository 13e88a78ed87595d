import { formatLeadSource, parseLeadSource } from './index';

describe('Source-Action|Offer', () => {
  it.each([
    [
      'AzureMarketplace-StartTestDrive|Red Hat OpenShift Container Platform',
      { source: 'AzureMarketplace', action: 'StartTestDrive', offer: 'Red Hat OpenShift Container Platform' },
    ],
    [
      'AzurePortal-Create|checkpoint.check-point-r77-10sg-byol',
      { source: 'AzurePortal', action: 'Create', offer: 'checkpoint.check-point-r77-10sg-byol' },
    ],
    ['SPZA-PLT|bitnami.openedxcypress', { source: 'AppSource', action: 'PLT', offer: 'bitnami.openedxcypress' }],
    [
      'TestDrive-DNC|docusign.3701c77e-1cfa-4c56-91e6-3ed0b622145a',
      { source: 'TestDrive', action: 'DNC', offer: 'docusign.3701c77e-1cfa-4c56-91e6-3ed0b622145a' },
    ],
    ['AzureMarketplace', { source: 'AzureMarketplace' }],
    ['AzureMarketplace-INS', { source: 'AzureMarketplace', action: 'INS' }],
  ])('parses %s', (text, expected) => {
    expect(parseLeadSource(text)).toEqual({ ok: true, value: expected });
  });

  it('names the field and the bad value for an unknown source or action, without throwing', () => {
    expect(parseLeadSource('Bing-INS|a.b', 'lead_source')).toEqual({
      ok: false,
      issues: [{ path: 'lead_source', message: expect.stringContaining("unknown source 'Bing'") }],
    });
    const r = parseLeadSource('AzurePortal-Buy|a.b');
    expect(!r.ok && r.issues[0]?.message).toContain(
      "unknown action 'Buy'; expected one of INS, PLT, DNC, Create, StartTestDrive",
    );
    expect(parseLeadSource('  ').ok).toBe(false);
  });

  it('formats with canonical names and round-trips', () => {
    const text = formatLeadSource({ source: 'AppSource', action: 'PLT', offer: 'bitnami.openedxcypress' });
    expect(text).toBe('AppSource-PLT|bitnami.openedxcypress');
    expect(parseLeadSource(text)).toEqual({
      ok: true,
      value: { source: 'AppSource', action: 'PLT', offer: 'bitnami.openedxcypress' },
    });
    expect(formatLeadSource({ source: 'AzurePortal' })).toBe('AzurePortal');
  });
});
