import { randomBytes } from 'node:crypto';
import { OfferDestinationRecordSchema, type Destination } from '@leadflow/lead-model';
import { parseKeyring, sealDestination } from './index';
import { decodeOfferRecord, encodeOfferRecord } from './record-codec';

/** What the offer table writes and reads is what docs/asyncapi.yaml states for offers.destinations. */
describe('offers.destinations records against the contract schema', () => {
  const ring = parseKeyring(`k1:${randomBytes(32).toString('base64')}`);
  const OFFER = 'contoso.crm-connector';
  const destinations: Destination[] = [
    { type: 'https', url: 'https://leads.contoso.example/hook', signingSecret: 'whsec-1' },
    { type: 'azure-table', connectionString: 'UseDevelopmentStorage=true' },
    {
      type: 'dynamics',
      url: 'https://org.crm.dynamics.com',
      auth: { kind: 'aad', tenantId: 'contoso.onmicrosoft.com', clientId: 'app', clientSecret: 's3cret' },
    },
  ];

  it.each(destinations.map((d) => [d.type, d] as const))('a sealed %s record is one the schema accepts', (_t, d) => {
    const bytes = encodeOfferRecord({
      offerId: OFFER,
      version: 2,
      destination: sealDestination(d, ring, OFFER),
      updatedAt: new Date().toISOString(),
    });
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    expect(OfferDestinationRecordSchema.safeParse(value).error).toBeUndefined();
    expect(decodeOfferRecord(Buffer.from(OFFER), bytes).kind).toBe('record');
  });

  it('the schema refuses what the decoder refuses: version 0, no type', () => {
    const record = { offerId: OFFER, version: 0, destination: { type: 'https' }, updatedAt: new Date().toISOString() };
    expect(OfferDestinationRecordSchema.safeParse(record).success).toBe(false);
    expect(decodeOfferRecord(Buffer.from(OFFER), Buffer.from(JSON.stringify(record))).kind).toBe('malformed');
    const untyped = { ...record, version: 1, destination: { url: 'https://x.example' } };
    expect(OfferDestinationRecordSchema.safeParse(untyped).success).toBe(false);
    expect(decodeOfferRecord(Buffer.from(OFFER), Buffer.from(JSON.stringify(untyped))).kind).toBe('malformed');
  });
});
