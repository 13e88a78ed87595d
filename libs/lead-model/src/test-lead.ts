import type { Lead } from './lead';

/** The marketplace marks its validation leads with this prefix in every text field ("Search for MSFT_TEST"). */
export const TEST_LEAD_PREFIX = 'MSFT_TEST_';

/** .NET ticks (100 ns since 0001-01-01 UTC), as in the marketplace's `MSFT_TEST_636573304831318844`. */
export function dotNetTicks(date: Date): string {
  const EPOCH_OFFSET_MS = 62_135_596_800_000n; // 0001-01-01 → 1970-01-01
  return ((BigInt(date.getTime()) + EPOCH_OFFSET_MS) * 10_000n).toString();
}

export interface TestLeadOptions {
  readonly offerId: string;
  readonly leadId: string;
  readonly now: Date;
  readonly offerTitle?: string;
}

/** A validation lead like the marketplace's: every text field carries `MSFT_TEST_<ticks>`. */
export function createTestLead(o: TestLeadOptions): Lead {
  const marker = `${TEST_LEAD_PREFIX}${dotNetTicks(o.now)}`;
  return {
    leadId: o.leadId,
    offerId: o.offerId,
    source: 'AzureMarketplace',
    action: 'INS',
    offerTitle: o.offerTitle ?? marker,
    customer: {
      firstName: marker,
      lastName: marker,
      email: `${marker}@test.com`,
      phone: '1234567890',
      country: 'US',
      company: marker,
      title: marker,
    },
    description: marker,
    occurredAt: o.now.toISOString(),
    isTest: true,
    piiSuppressed: false,
  };
}

/** True for text that carries the marketplace's test marker. */
export function hasTestMarker(value: string | undefined): boolean {
  return value !== undefined && value.toUpperCase().includes(TEST_LEAD_PREFIX);
}

/** Recognises the marketplace's own validation leads posted to us (names or e-mail carry MSFT_TEST_). */
export function isTestLead(lead: { customer: { firstName?: string; lastName?: string; email?: string } }): boolean {
  const c = lead.customer;
  return hasTestMarker(c.firstName) || hasTestMarker(c.lastName) || hasTestMarker(c.email);
}
