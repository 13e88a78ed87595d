/**
 * How the Marketo simulator misbehaves: chosen only by values a destination carries (Munchkin ID, client id,
 * form id) or a lead carries (its e-mail domain). Any other value gets a healthy subscription whose rate
 * (100 calls per 20 s) and concurrency (10 calls) limits are enforced per Munchkin ID, as Marketo does.
 */
export const MARKETO_SCENARIOS = {
  munchkin: {
    /** A healthy subscription (any Munchkin ID not listed below is one too). */
    ok: '100-OKK-001',
    /** 614 Invalid Subscription on every REST call. */
    invalidSubscription: '614-SUB-001',
    /** 607 Daily quota reached on every REST call. */
    dailyQuotaReached: '607-DAY-001',
    /** A subscription whose rate limit is used up by other integrations: 606 on every REST call. */
    rateLimited: '606-RTE-001',
    /** A subscription whose concurrency limit is taken by other integrations: 615 on every REST call. */
    concurrencyLimited: '615-CON-001',
    /** An instance without the `title` field: every record that sets it is skipped with 1006. */
    titleFieldMissing: '106-FLD-001',
  },
  clientId: {
    /** The identity service answers 401 invalid_client. */
    badClient: 'bad-client-id',
    /** Tokens are granted, but the API user's role lacks lead permissions: 603 Access denied. */
    accessDenied: 'no-lead-permission',
    /** Every token it gets is refused with 601 Access token invalid. */
    tokenInvalid: 'token-always-invalid',
    /** Its first token is refused once with 602 Access token expired; the next one works. */
    tokenExpiresOnce: 'token-expires-once',
  },
  formId: {
    /** No form with this id exists in the instance. */
    notFound: 404_404,
    /** A form with first name, last name and e-mail only (no company, phone, title or country). */
    lackingFields: 3_333,
  },
  /** E-mail domains whose records are skipped with a record-level reason. */
  emailDomain: {
    /** 1001 Invalid value (type mismatch). */
    invalidValue: 'invalid-value.example',
    /** 1003 Invalid data. */
    invalidData: 'invalid-data.example',
    /** 1007 Multiple leads match the lookup criteria (the instance holds duplicates of the address). */
    multipleMatch: 'duplicates.example',
  },
} as const;

/** Fields of every form of the simulated instance, except the `lackingFields` scenario's. */
export const MARKETO_FORM_FIELDS = ['firstName', 'lastName', 'email', 'company', 'phone', 'title', 'country'] as const;
/** Lead fields (REST API names) of the simulated instance. */
export const MARKETO_LEAD_FIELDS = [...MARKETO_FORM_FIELDS, 'leadSource'] as const;
