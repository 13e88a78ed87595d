/**
 * How the Salesforce simulator behaves is chosen only by values a destination is configured with: the connected
 * app's consumer key (API mode), the Web-to-Lead organization id, and one field value on a record. Tests, the
 * demo and the benchmark name these constants instead of repeating strings.
 */
export const SALESFORCE_SCENARIOS = {
  /** The consumer secret of every simulated connected app; any other secret → 400 `invalid_client`. */
  clientSecret: 'sim-consumer-secret',
  /** Username-password flow: this user and password (with security token); anything else → 400 `invalid_grant`. */
  username: 'integration@leadflow-sim.example',
  password: 'sim-password-and-token',
  /** Connected apps (consumer keys) of simulated orgs; a key not listed here → 400 `invalid_client_id`. */
  clients: {
    ok: 'sim-ok',
    /** The org requires `Region__c` on Lead: REQUIRED_FIELD_MISSING. */
    requiredField: 'sim-required-field',
    /** Lead Source is a restricted picklist without the marketplace's `Source-Action|Offer` values. */
    restrictedPicklist: 'sim-restricted-picklist',
    /** A validation rule rejects every lead: FIELD_CUSTOM_VALIDATION_EXCEPTION. */
    validationRule: 'sim-validation-rule',
    /** A blocking duplicate rule matches every lead: DUPLICATES_DETECTED. */
    duplicateRule: 'sim-duplicate-rule',
    /** The org's daily API request limit is exhausted: 403 REQUEST_LIMIT_EXCEEDED. */
    apiLimit: 'sim-api-limit',
    /** The first token issued to this app answers 401 INVALID_SESSION_ID on first use; the next one works. */
    sessionExpiresOnce: 'sim-session-expires-once',
    /** Not a connected app of any org: 400 `invalid_client_id`. */
    unknown: 'sim-unknown-client',
  },
  /** Web-to-Lead organization ids (15 characters, 00D…). Another id: answered like the rest, lead dropped. */
  orgs: {
    ok: '00DSIMOK0000001',
    /** Lead Source is a restricted picklist: Salesforce drops the lead silently (the marketplace's FAQ trap). */
    restrictedPicklist: '00DSIMPICK00001',
    /** The org requires `Region__c`: dropped silently. */
    requiredField: '00DSIMREQF00001',
    /** A validation rule rejects every lead: dropped silently. */
    validationRule: '00DSIMVALR00001',
    /** Not an org: answered like the rest, lead dropped. */
    unknown: '00DSIMNONE00001',
  },
  /** A record whose Title is this value is rejected by a validation rule in every org (one bad record in a batch). */
  rejectedTitle: 'SIM-REJECT-RECORD',
  /** Lead Source values the restricted picklist allows. */
  leadSourcePicklist: ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'],
  /** Web-to-Lead requests a simulated org creates per UTC day; later ones go to the pending queue. */
  webToLeadDailyLimit: 500,
  /** Records in one sObject Collections request. */
  collectionLimit: 200,
} as const;

export type SalesforceClientScenario = keyof typeof SALESFORCE_SCENARIOS.clients;
export type SalesforceOrgScenario = keyof typeof SALESFORCE_SCENARIOS.orgs;

export function clientScenario(clientId: string): SalesforceClientScenario | undefined {
  const entry = Object.entries(SALESFORCE_SCENARIOS.clients).find(([, id]) => id === clientId);
  return entry && entry[0] !== 'unknown' ? (entry[0] as SalesforceClientScenario) : undefined;
}

export function orgScenario(orgId: string): SalesforceOrgScenario {
  const entry = Object.entries(SALESFORCE_SCENARIOS.orgs).find(([, id]) => id === orgId);
  return entry ? (entry[0] as SalesforceOrgScenario) : 'unknown';
}
