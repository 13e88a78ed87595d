import type { OfferDestinationRecord } from '@leadflow/lead-model';
import { autoReplayPlan } from './auto-replay-decision';

const record = (autoReplay: boolean | undefined, version = 2): OfferDestinationRecord => ({
  offerId: 'contoso.crm',
  version,
  destination: { type: 'https', url: 'https://x.example', ...(autoReplay === undefined ? {} : { autoReplay }) },
  updatedAt: '2026-01-01T00:00:00Z',
});
const receipt = (leadId: string, isTest = true) => ({
  leadId,
  offerId: 'contoso.crm',
  destination: 'https',
  attempts: 1,
  deliveredAt: '2026-01-01T00:00:01Z',
  isTest,
});
const vid = (offerId: string, version: number, updatedAt: string) => `${offerId}:${version}:${updatedAt}`;

describe('autoReplayPlan', () => {
  it("replays an opted-in offer's configuration dead letters of earlier versions when this version's validation lead is delivered", () => {
    expect(autoReplayPlan(receipt('contoso.crm:2:2026-01-01T00:00:00Z'), record(true), vid)).toEqual({
      offerId: 'contoso.crm',
      version: 2,
      filter: { offers: ['contoso.crm'], categories: ['configuration'], destinationVersionBelow: 2 },
      by: 'auto-replay contoso.crm v2',
    });
  });

  it('does nothing without opt-in, for another version, for an ordinary lead or an unknown offer', () => {
    const current = 'contoso.crm:2:2026-01-01T00:00:00Z';
    expect(autoReplayPlan(receipt(current), record(undefined), vid)).toBeUndefined();
    expect(autoReplayPlan(receipt(current), record(false), vid)).toBeUndefined();
    expect(autoReplayPlan(receipt('contoso.crm:1:2026-01-01T00:00:00Z'), record(true), vid)).toBeUndefined();
    expect(autoReplayPlan(receipt(current, false), record(true), vid)).toBeUndefined();
    expect(autoReplayPlan(receipt(current), undefined, vid)).toBeUndefined();
  });
});
