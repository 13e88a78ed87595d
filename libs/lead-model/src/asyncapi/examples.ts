import { dlqCategory, ERROR_CATALOG, type ErrorClass } from '../errors';
import { Headers, LEAD_EVENT_TYPE } from '../headers';
import { unknownSourceMessage } from '../lead-source';
import { Topics } from '../topics';

/**
 * The examples of the AsyncAPI document. They are the contract's test data too: apps/router's
 * asyncapi-examples int test produces every `leads.ingested` example and every router dead-letter example
 * (its original record) to a real broker, runs the real router, and checks that each lead is routed and
 * each dead letter gets the class (and message) the example states.
 */
export interface ContractExample {
  readonly name: string;
  readonly summary: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The record value: JSON, or (a string) the raw bytes of a value that is not JSON; null for a tombstone. */
  readonly payload: unknown;
  /** The record key (in the document: the message's `x-example-keys`). */
  readonly key: string | null;
}

export const EXAMPLE_OFFER = 'contoso.crm-connector';
/** An offer with no destination: its leads are dead-lettered as ROUTER.OFFER_NOT_CONFIGURED. */
export const EXAMPLE_UNCONFIGURED_OFFER = 'fabrikam.unconfigured';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const AT = '2026-01-02T03:04:05.000Z';

const ce = (leadId: string, occurredAt = AT, source = '/leadflow/ingest') => ({
  [Headers.ceSpecVersion]: '1.0',
  [Headers.ceId]: leadId,
  [Headers.ceSource]: source,
  [Headers.ceType]: LEAD_EVENT_TYPE,
  [Headers.ceTime]: occurredAt,
  [Headers.contentType]: 'application/json',
  [Headers.traceparent]: TRACEPARENT,
});

const canonicalLead = (leadId: string, offerId = EXAMPLE_OFFER) => ({
  leadId,
  offerId,
  source: 'AzureMarketplace',
  action: 'INS',
  offerTitle: 'Contoso CRM Connector',
  customer: { firstName: 'Some', lastName: 'One', email: 'someone@contoso.example', company: 'Contoso' },
  occurredAt: AT,
  isTest: false,
  piiSuppressed: false,
});

/** Examples of each input shape on `leads.ingested`: every one is routed. */
export const INGESTED_EXAMPLES: Readonly<Record<'canonical' | 'marketplace' | 'legacy', readonly ContractExample[]>> = {
  canonical: [
    {
      name: 'canonical-from-ingest',
      summary: 'A lead as ingest writes it: canonical, with CloudEvents headers and a traceparent',
      headers: ce('0190d3c2-8e4b-7a51-9f3e-2c4b5a6d7e8f'),
      payload: canonicalLead('0190d3c2-8e4b-7a51-9f3e-2c4b5a6d7e8f'),
      key: EXAMPLE_OFFER,
    },
    {
      name: 'canonical-direct',
      summary: 'A direct producer: the canonical form without isTest and piiSuppressed, occurredAt from ce_time',
      headers: { [Headers.ceTime]: AT },
      payload: {
        leadId: 'crm-export-000042',
        offerId: EXAMPLE_OFFER,
        source: 'AzurePortal',
        action: 'Create',
        customer: { firstName: 'Kim', lastName: 'Doe', email: 'kim@fabrikam.example', country: 'NL' },
      },
      key: EXAMPLE_OFFER,
    },
  ],
  marketplace: [
    {
      name: 'marketplace-offer-in-key',
      summary: "The marketplace's HTTPS-endpoint body; the record key names the offer, ce_id the lead",
      headers: { [Headers.ceId]: 'mkt-0001', [Headers.ceTime]: AT, [Headers.contentType]: 'application/json' },
      payload: {
        UserDetails: {
          FirstName: 'Some',
          LastName: 'One',
          Email: 'someone@contoso.example',
          Phone: '',
          Country: 'US',
          Company: 'Contoso',
          Title: '',
        },
        LeadSource: 'AzureMarketplace',
        ActionCode: 'INS',
        OfferTitle: 'Contoso CRM Connector',
        Description: '',
      },
      key: EXAMPLE_OFFER,
    },
    {
      name: 'marketplace-offer-in-lead-source',
      summary: 'The marketplace body naming its offer in LeadSource, property names in another case',
      payload: {
        userDetails: { firstName: 'Ana', lastName: 'Silva', email: 'ana.silva@tailspin.example' },
        leadSource: `AppSource-PLT|${EXAMPLE_OFFER}`,
        leadId: 'mkt-0002',
      },
      key: EXAMPLE_OFFER,
    },
  ],
  legacy: [
    {
      name: 'legacy-web-to-lead',
      summary: 'The legacy flat Web-to-Lead form',
      headers: { [Headers.ceId]: 'w2l-0001' },
      payload: {
        first_name: 'Dana',
        last_name: 'Reyes',
        email: 'dana.reyes@fabrikam.example',
        company: 'Fabrikam',
        lead_source: `SPZA-PLT|${EXAMPLE_OFFER}`,
      },
      key: EXAMPLE_OFFER,
    },
  ],
};

/** The dead-letter set of an example: fixed position and time, the class's own category and remediation. */
function deadLetterSet(errorClass: ErrorClass, message: string, extra: Record<string, string> = {}) {
  return {
    [Headers.errorClass]: errorClass,
    [Headers.errorCategory]: dlqCategory(errorClass, false),
    [Headers.errorMessage]: message,
    [Headers.errorRemediation]: ERROR_CATALOG[errorClass].remediation,
    [Headers.originalTopic]: Topics.ingested,
    [Headers.originalPartition]: '2',
    [Headers.originalOffset]: '1187',
    [Headers.sink]: 'router',
    [Headers.attempts]: '1',
    [Headers.failedAt]: '2026-01-02T03:04:05.120Z',
    ...extra,
  };
}

/**
 * Dead letters of the router: the original record (key, value, its own headers) and the class it gets. The
 * value of a record that is not JSON is its raw text.
 */
export const ROUTER_DEAD_LETTER_EXAMPLES: readonly ContractExample[] = [
  {
    name: 'router-malformed-marketplace',
    summary: 'A marketplace body the API would refuse: bad e-mail, unknown source',
    headers: {
      [Headers.ceId]: 'mkt-bad-1',
      ...deadLetterSet(
        'ROUTER.MALFORMED_EVENT',
        `not a valid lead: UserDetails.Email: must be an e-mail address; LeadSource: ${unknownSourceMessage('Fax')}`,
      ),
    },
    payload: { UserDetails: { FirstName: 'No', Email: 'no-email' }, LeadSource: 'Fax-INS' },
    key: EXAMPLE_OFFER,
  },
  {
    name: 'router-malformed-canonical',
    summary: 'A canonical lead without a customer',
    headers: deadLetterSet('ROUTER.MALFORMED_EVENT', 'not a valid lead: customer: is required'),
    payload: { leadId: 'crm-export-000043', offerId: EXAMPLE_OFFER, source: 'AzurePortal', action: 'Create' },
    key: EXAMPLE_OFFER,
  },
  {
    name: 'router-not-json',
    summary: 'A value that is not JSON (shown as its raw text)',
    headers: deadLetterSet('ROUTER.MALFORMED_EVENT', 'the value is not JSON'),
    payload: 'first_name=Dana&last_name=Reyes',
    key: EXAMPLE_OFFER,
  },
  {
    name: 'router-offer-not-configured',
    summary: 'A valid lead of an offer that has no destination',
    headers: {
      ...ce('0190d3c2-9a01-7b22-8c33-4d5e6f708192'),
      ...deadLetterSet(
        'ROUTER.OFFER_NOT_CONFIGURED',
        `offer ${EXAMPLE_UNCONFIGURED_OFFER} has no destination configured`,
      ),
    },
    payload: canonicalLead('0190d3c2-9a01-7b22-8c33-4d5e6f708192', EXAMPLE_UNCONFIGURED_OFFER),
    key: EXAMPLE_UNCONFIGURED_OFFER,
  },
];

/** A sink's dead letter: the routed lead, its headers, and why the destination refused it. */
export const SINK_DEAD_LETTER_EXAMPLE: ContractExample = {
  name: 'table-sink-auth-failed',
  summary: "Azure Table storage refused the offer's account key",
  headers: {
    ...ce('0190d3c2-8e4b-7a51-9f3e-2c4b5a6d7e8f'),
    ...deadLetterSet('TABLE.AUTH_FAILED', 'Server failed to authenticate the request (403 AuthenticationFailed)', {
      [Headers.originalTopic]: Topics.route('azure-table'),
      [Headers.originalPartition]: '4',
      [Headers.originalOffset]: '52',
      [Headers.sink]: 'table-sink',
      [Headers.attempts]: '1',
      [Headers.destinationVersion]: '3',
    }),
  },
  payload: canonicalLead('0190d3c2-8e4b-7a51-9f3e-2c4b5a6d7e8f'),
  key: EXAMPLE_OFFER,
};

export const ROUTED_LEAD_EXAMPLE: ContractExample = {
  name: 'routed-lead',
  summary: 'The canonical lead on a route topic, headers as ingest wrote them',
  headers: ce('0190d3c2-8e4b-7a51-9f3e-2c4b5a6d7e8f'),
  payload: canonicalLead('0190d3c2-8e4b-7a51-9f3e-2c4b5a6d7e8f'),
  key: EXAMPLE_OFFER,
};

export const RECEIPT_EXAMPLES: readonly ContractExample[] = [
  {
    name: 'receipt-table',
    summary: 'Delivered to Azure Table storage',
    payload: {
      leadId: '0190d3c2-8e4b-7a51-9f3e-2c4b5a6d7e8f',
      offerId: EXAMPLE_OFFER,
      destination: 'azure-table',
      externalId: `MarketplaceLeads/${EXAMPLE_OFFER}/0190d3c2-8e4b-7a51-9f3e-2c4b5a6d7e8f`,
      attempts: 1,
      deliveredAt: '2026-01-02T03:04:05.321Z',
      isTest: false,
    },
    key: EXAMPLE_OFFER,
  },
  {
    name: 'receipt-web-to-lead',
    summary: 'Salesforce Web-to-Lead answered, but cannot confirm it stored the lead',
    payload: {
      leadId: 'w2l-0001',
      offerId: EXAMPLE_OFFER,
      destination: 'salesforce',
      unconfirmed: true,
      attempts: 2,
      deliveredAt: '2026-01-02T03:04:06.002Z',
      isTest: false,
    },
    key: EXAMPLE_OFFER,
  },
];

export const OFFER_DESTINATION_EXAMPLES: readonly ContractExample[] = [
  {
    name: 'offer-destination-https',
    summary: "An offer's HTTPS destination, its signing secret sealed",
    payload: {
      offerId: EXAMPLE_OFFER,
      version: 3,
      destination: {
        type: 'https',
        url: 'https://leads.contoso.example/hook',
        signingSecret: { kid: 'k2026', iv: 'q83vEjRWeJCrze8S', tag: 'mZ1rN2v0yQ6pT3l5cF8a9w==', data: 'c2VhbGVk' },
      },
      updatedAt: AT,
    },
    key: EXAMPLE_OFFER,
  },
  {
    name: 'offer-destination-removed',
    summary: "A tombstone: the offer's destination is removed",
    payload: null,
    key: 'fabrikam.retired-offer',
  },
];

export const REPLAY_LEDGER_EXAMPLES: readonly ContractExample[] = [
  {
    name: 'ledger-entry',
    summary: 'One replay of one dead letter',
    payload: {
      replayOf: 'leads.dlq.azure-table/4/52',
      replayedAt: '2026-01-03T09:00:00.000Z',
      by: 'auto-replay contoso.crm-connector v4',
      leadId: '0190d3c2-8e4b-7a51-9f3e-2c4b5a6d7e8f',
      offerId: EXAMPLE_OFFER,
    },
    key: 'leads.dlq.azure-table/4/52',
  },
];

export const OFFER_STATUS_EXAMPLES: readonly ContractExample[] = [
  {
    name: 'offer-status-receipts',
    summary: "The offer's receipts counted from leads.delivered partition 1: its latest delivery, its validation lead",
    payload: {
      offerId: EXAMPLE_OFFER,
      input: { topic: 'leads.delivered', partition: 1 },
      offset: '48213',
      deadLetters: 0,
      lastDelivery: RECEIPT_EXAMPLES[0]?.payload,
      validations: [{ leadId: '5d1c9a0e-test-lead', status: 'passed', checkedAt: '2026-01-02T03:04:01.002Z' }],
      updatedAt: '2026-01-02T03:04:05.400Z',
    },
    key: `${EXAMPLE_OFFER}|leads.delivered|1`,
  },
  {
    name: 'offer-status-dead-letters',
    summary: "The offer's dead letters counted from leads.dlq.https partition 0, a validation lead among them",
    payload: {
      offerId: EXAMPLE_OFFER,
      input: { topic: 'leads.dlq.https', partition: 0 },
      offset: '311',
      deadLetters: 12,
      validations: [
        {
          leadId: '4c0b8f9d-test-lead',
          status: 'failed',
          errorClass: 'HTTPS.ENDPOINT_REJECTED',
          remediation: 'The endpoint answered with a 4xx status (not 408 or 429).',
          checkedAt: '2026-01-01T22:10:00.000Z',
        },
      ],
      updatedAt: '2026-01-02T03:04:05.400Z',
    },
    key: `${EXAMPLE_OFFER}|leads.dlq.https|0`,
  },
];

export const QUOTA_WAIT_EXAMPLES: readonly ContractExample[] = [
  {
    name: 'quota-wait-web-to-lead',
    summary: "Four of the offer's leads wait for the org's Web-to-Lead day to end",
    payload: {
      offerId: EXAMPLE_OFFER,
      account: 'salesforce:00D5e000000AbCd',
      destination: 'salesforce',
      leads: 4,
      until: '2026-01-03T00:00:00.000Z',
      errorClass: 'SALESFORCE.DAILY_LIMIT',
      updatedAt: '2026-01-02T17:40:00.000Z',
    },
    key: `${EXAMPLE_OFFER}|salesforce:00D5e000000AbCd`,
  },
  {
    name: 'quota-wait-over',
    summary: 'The sink holds none of them any more (a tombstone)',
    payload: null,
    key: `${EXAMPLE_OFFER}|salesforce:00D5e000000AbCd`,
  },
];
