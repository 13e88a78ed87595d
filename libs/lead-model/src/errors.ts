import type { DlqStage } from './topics';

/** The catalog's categories; `transient-exhausted` is what a transient class becomes when its retry budget runs out. */
export const ERROR_CATEGORIES = ['configuration', 'data', 'transient', 'transient-exhausted', 'internal'] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

export interface ErrorClassInfo {
  readonly category: Exclude<ErrorCategory, 'transient-exhausted'>;
  readonly retriable: boolean;
  readonly stage: DlqStage | 'any';
  /** Product text: what the publisher should do, in one or two sentences. */
  readonly remediation: string;
  /**
   * A configuration error about one record (a duplicate person, a rule some leads break), not about the offer's
   * configuration as a whole: the offer's other leads are still sent (its circuit does not open).
   */
  readonly perRecord?: true;
}

const configuration = (stage: DlqStage, remediation: string): ErrorClassInfo => ({
  category: 'configuration',
  retriable: false,
  stage,
  remediation,
});
const data = (stage: DlqStage, remediation: string): ErrorClassInfo => ({
  category: 'data',
  retriable: false,
  stage,
  remediation,
});
const perRecord = (stage: DlqStage, remediation: string): ErrorClassInfo => ({
  ...configuration(stage, remediation),
  perRecord: true,
});
const transient = (stage: DlqStage, remediation: string): ErrorClassInfo => ({
  category: 'transient',
  retriable: true,
  stage,
  remediation,
});

/**
 * The error catalog (rendered as docs/error-catalog.md by tools/docs). Codes are stable: new classes may be
 * added, existing codes never change meaning. Remediation texts draw on Microsoft's published "common lead
 * configuration errors" for the commercial marketplace and the CRMs' own documentation.
 */
export const ERROR_CATALOG = {
  'ROUTER.OFFER_NOT_CONFIGURED': configuration(
    'router',
    'The offer has no lead destination. Configure one with PUT /v1/offers/{offerId}/destination, then replay the dead-lettered leads.',
  ),
  'ROUTER.DESTINATION_RETIRED': configuration(
    'router',
    'Azure Blob storage is no longer supported as a lead destination. Switch the offer to Azure Table (same storage account connection string) or another destination, then replay.',
  ),
  'ROUTER.RECORD_REFUSED': data(
    'router',
    "The broker refused to write the routed lead (it is larger than the route topic's max.message.bytes, or breaks the topic's policy). Raise the topic's limit or send a smaller lead (a shorter description), then replay.",
  ),
  'ROUTER.MALFORMED_EVENT': data(
    'router',
    'The record on leads.ingested is not a lead the ingest API would accept; the message names each failing field. Fix the producer (or send through POST /v1/leads), then replay.',
  ),

  'DYNAMICS.SIGN_IN_FAILED': configuration(
    'dynamics',
    'Dynamics 365 rejected the Microsoft 365 user name or password, or the user does not exist. Check the account, reset the password if it expired, and save the destination again.',
  ),
  'DYNAMICS.MFA_REQUIRED': configuration(
    'dynamics',
    'The Microsoft 365 user must use multi-factor authentication, which a service cannot do. Switch the destination to Azure Active Directory (app registration) authentication.',
  ),
  'DYNAMICS.AAD_TENANT_NOT_FOUND': configuration(
    'dynamics',
    "The Directory (tenant) ID is not a valid directory, or the tenant has no active subscription. Copy the Directory ID from the app registration's Overview page.",
  ),
  'DYNAMICS.AAD_INVALID_TENANT_ID': configuration(
    'dynamics',
    "The Directory (tenant) ID is neither a GUID nor a valid domain. Copy the Directory ID from the app registration's Overview page.",
  ),
  'DYNAMICS.AAD_APP_NOT_FOUND': configuration(
    'dynamics',
    'No application with this Application (client) ID exists in the directory. Copy the Application ID from the app registration and check that it belongs to the tenant you named.',
  ),
  'DYNAMICS.AAD_INVALID_CLIENT_SECRET': configuration(
    'dynamics',
    "The client secret is wrong. Copy the secret's Value (not its Secret ID) from the app registration's Certificates & secrets page and save the destination again.",
  ),
  'DYNAMICS.AAD_CLIENT_SECRET_EXPIRED': configuration(
    'dynamics',
    "The app registration's client secret has expired. Create a new secret under Certificates & secrets and save the destination with it.",
  ),
  'DYNAMICS.LEAD_WRITER_ROLE_MISSING': configuration(
    'dynamics',
    'The application user lacks create permission on leads (or on the leadsourcecode field). Assign it the "Microsoft Marketplace Lead Writer" security role in Dynamics 365.',
  ),
  'DYNAMICS.NO_ROLES_ASSIGNED': configuration(
    'dynamics',
    'The Dynamics 365 user has no security roles. Assign the "Microsoft Marketplace Lead Writer" role to the application user (or Microsoft 365 user).',
  ),
  'DYNAMICS.LICENSE_MISSING': configuration(
    'dynamics',
    'The Dynamics 365 user has no license. Assign a Dynamics 365 Customer Engagement license to the user, or use Azure Active Directory authentication with an application user.',
  ),
  'DYNAMICS.INSTANCE_UNREACHABLE': configuration(
    'dynamics',
    "The URL is not a reachable Dataverse instance. Use your organization's URL, e.g. https://contoso.crm.dynamics.com, as shown in the Power Platform admin center.",
  ),
  'DYNAMICS.THROTTLED': transient(
    'dynamics',
    "Dataverse service protection limits were hit repeatedly. Reduce other integrations' load on the instance or raise its API capacity; leads are retried automatically.",
  ),
  'DYNAMICS.SERVICE_UNAVAILABLE': transient(
    'dynamics',
    'Entra ID or Dataverse did not answer, or answered with a server error. Leads are retried; check the Microsoft 365 and Power Platform service health if this persists.',
  ),
  'DYNAMICS.LEAD_REJECTED': data(
    'dynamics',
    'Dataverse rejected the lead record. Check required columns and business rules on the Lead table that a marketplace lead cannot satisfy.',
  ),

  'SALESFORCE.AUTH_INVALID_CLIENT': configuration(
    'salesforce',
    "Salesforce does not recognise the connected app's consumer key or secret. Copy both from the connected app (App Manager → View) and save the destination again.",
  ),
  'SALESFORCE.AUTH_FAILED': configuration(
    'salesforce',
    'Salesforce rejected the credentials (invalid_grant). Check the user, password and security token, that the user may use the connected app, and that the login URL matches the org (login vs test).',
  ),
  'SALESFORCE.INVALID_ORG_ID': configuration(
    'salesforce',
    'The organization ID is not valid for Web-to-Lead. Copy the "oid" value from a generated Web-to-Lead form (Setup → Web-to-Lead) — it starts with 00D.',
  ),
  'SALESFORCE.REQUIRED_FIELD_MISSING': perRecord(
    'salesforce',
    'The org requires a Lead field that marketplace leads do not carry. Make that field optional (or give it a default) for leads created by this integration.',
  ),
  'SALESFORCE.RESTRICTED_PICKLIST': configuration(
    'salesforce',
    'A restricted picklist (often Lead Source) rejects the value leadflow sends. Switch the field to a non-restricted picklist or text field, or add the value.',
  ),
  'SALESFORCE.VALIDATION_RULE': perRecord(
    'salesforce',
    "A validation rule on Lead rejected the record. Adjust or exempt the rule for this integration; the rule's message is in the error.",
  ),
  'SALESFORCE.DUPLICATE_RULE': perRecord(
    'salesforce',
    'A duplicate rule blocked the lead. Set the rule to allow (and report) duplicates for this integration user.',
  ),
  'SALESFORCE.DAILY_LIMIT': transient(
    'salesforce',
    "Web-to-Lead accepts 500 leads a day per org. Leads past the limit wait (nothing is dropped) and are sent after 00:00 UTC; switch the destination to API mode or ask Salesforce to raise the org's limit if this happens often.",
  ),
  'SALESFORCE.LEAD_REJECTED': data(
    'salesforce',
    "Salesforce refused the Lead record for a reason other than the org's rules (e.g. an invalid value). The code and fields are in the error; fix the value at the source or relax the field, then replay.",
  ),
  'SALESFORCE.ENDPOINT_INVALID': configuration(
    'salesforce',
    'The login URL or Web-to-Lead URL does not resolve, does not verify, or is not a Salesforce endpoint. Use your My Domain URL (https://<domain>.my.salesforce.com) or the default login and Web-to-Lead URLs.',
  ),
  'SALESFORCE.SERVICE_UNAVAILABLE': transient(
    'salesforce',
    'Salesforce answered with a server error, locked the row, or did not answer in time. Leads are retried; check trust.salesforce.com if this persists.',
  ),
  'SALESFORCE.API_LIMIT': transient(
    'salesforce',
    "The org's daily API request limit is exhausted. Leads are retried; raise the limit or reduce other API consumers if this persists.",
  ),

  'MARKETO.AUTH_FAILED': configuration(
    'marketo',
    "Marketo's identity service rejected the client ID or secret. Copy both from Admin → LaunchPoint → the API service (View Details) and save the destination again.",
  ),
  'MARKETO.ACCESS_DENIED': configuration(
    'marketo',
    'The Marketo API user\'s role lacks permission (603). Give the API-only user\'s role the "Read-Write Lead" permission.',
  ),
  'MARKETO.INVALID_SUBSCRIPTION': configuration(
    'marketo',
    'The Munchkin ID or REST endpoint does not match an active Marketo subscription (614). Copy the Munchkin ID from Admin → Munchkin and the endpoint from Admin → Web Services.',
  ),
  'MARKETO.FIELD_NOT_FOUND': configuration(
    'marketo',
    'A field leadflow writes does not exist in the Marketo instance (1006). Create the field or map it in Admin → Field Management.',
  ),
  'MARKETO.MULTIPLE_LEADS_MATCH': perRecord(
    'marketo',
    "Several Marketo leads share the lead's e-mail address (1007). Merge the duplicates in Marketo, then replay.",
  ),
  'MARKETO.INVALID_DATA': data(
    'marketo',
    'Marketo rejected a field value (1001/1003). Check field types and lengths in Field Management against the lead in the error.',
  ),
  'MARKETO.FORM_NOT_FOUND': configuration(
    'marketo',
    "The Form ID does not name a form of this Marketo instance, or the form lacks a field leadflow fills (first name, last name, e-mail, company, phone, title, country). Copy the Form ID from the form's embed code and add the missing fields to the form.",
  ),
  'MARKETO.SERVICE_UNAVAILABLE': transient(
    'marketo',
    'Marketo did not answer or answered with a temporary error (604, 608, 611, 713, 5xx). Leads are retried; check status.adobe.com if this persists.',
  ),
  'MARKETO.QUOTA_EXCEEDED': transient(
    'marketo',
    "Marketo's rate, concurrency or daily quota was exceeded (606/607/615). Leads are retried; raise the quota or reduce other API consumers if this persists.",
  ),

  'TABLE.INVALID_CONNECTION_STRING': configuration(
    'azure-table',
    "The storage connection string cannot be parsed. Copy it from the storage account's Access keys page (DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=…).",
  ),
  'TABLE.AUTH_FAILED': configuration(
    'azure-table',
    "The storage account rejected the key (it is wrong or was rotated). Copy a current connection string from the storage account's Access keys page and save the destination again.",
  ),
  'TABLE.ACCOUNT_UNREACHABLE': configuration(
    'azure-table',
    "The storage account's host does not resolve. Check the account name and endpoint suffix in the connection string, and that the account still exists.",
  ),
  'TABLE.ENTITY_TOO_LARGE': data(
    'azure-table',
    "The lead is larger than Azure Table storage allows for one entity or property. Shorten the lead's description at the source.",
  ),
  'TABLE.SERVICE_UNAVAILABLE': transient(
    'azure-table',
    "The storage account answered with a server error or did not answer. Leads are retried; check the account's health if this persists.",
  ),

  'HTTPS.ENDPOINT_REJECTED': configuration(
    'https',
    'The endpoint answered with a 4xx status (not 408 or 429). Check the URL (a Power Automate trigger URL expires when its flow is re-created) and that the endpoint accepts the marketplace lead JSON.',
  ),
  'HTTPS.ENDPOINT_UNREACHABLE': configuration(
    'https',
    "The endpoint's host name does not resolve. Check the URL for typos and that the DNS name exists publicly.",
  ),
  'HTTPS.TLS_ERROR': configuration(
    'https',
    "The endpoint's TLS certificate does not verify (expired, self-signed or wrong host name). Install a certificate from a public CA for that host name.",
  ),
  'HTTPS.ADDRESS_NOT_ALLOWED': configuration(
    'https',
    'The URL resolves to a private, loopback or link-local address, which leadflow does not call. Use a publicly reachable HTTPS endpoint.',
  ),
  'HTTPS.SERVER_ERROR': transient(
    'https',
    'The endpoint timed out, refused the connection or answered 408, 429 or 5xx. Leads are retried; make sure the endpoint answers 2xx within the timeout.',
  ),

  'INTERNAL.SECRET_KEY_UNAVAILABLE': {
    category: 'internal',
    retriable: false,
    stage: 'any',
    remediation:
      "The sink could not decrypt the destination's secrets: the key they were sealed with is not in its LEADFLOW_SECRET_KEYS (or the record is damaged). Operators: give every service the same keyring, with old keys kept until every destination was saved again; then replay.",
  },
  'INTERNAL.UNEXPECTED': {
    category: 'internal',
    retriable: false,
    stage: 'any',
    remediation:
      'leadflow hit an unexpected error (a bug). The operators have the stack trace; the lead can be replayed once it is fixed.',
  },
} as const satisfies Record<string, ErrorClassInfo>;

export type ErrorClass = keyof typeof ERROR_CATALOG;

export function isErrorClass(value: string): value is ErrorClass {
  return Object.prototype.hasOwnProperty.call(ERROR_CATALOG, value);
}

/** The category a dead letter records: a transient class whose budget ran out becomes `transient-exhausted`. */
export function dlqCategory(code: ErrorClass, exhausted: boolean): ErrorCategory {
  const info: ErrorClassInfo = ERROR_CATALOG[code];
  return info.category === 'transient' && exhausted ? 'transient-exhausted' : info.category;
}

export interface LeadflowErrorOptions {
  readonly cause?: unknown;
  /** The destination asked to wait this long before the next attempt (429 Retry-After). */
  readonly retryAfterMs?: number;
  /**
   * The destination is out of a quota until this time (epoch ms): Web-to-Lead's 500 a day, Marketo's daily API
   * quota. The lead waits until then without spending its retry budget; it is not dead-lettered for waiting.
   */
  readonly waitUntil?: number;
}

/**
 * The one error family: the classification is made where the error is born, and the delivery loop
 * decides retry, dead-letter or commit from these fields alone.
 */
export class LeadflowError extends Error {
  readonly code: ErrorClass;
  readonly category: ErrorClassInfo['category'];
  readonly retriable: boolean;
  readonly remediation: string;
  readonly retryAfterMs: number | undefined;
  readonly waitUntil: number | undefined;
  /** A configuration error about the offer as a whole: its next leads need not be tried (the circuit opens). */
  readonly offerWide: boolean;

  constructor(code: ErrorClass, message: string, opts: LeadflowErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    const info: ErrorClassInfo = ERROR_CATALOG[code];
    this.name = 'LeadflowError';
    this.code = code;
    this.category = info.category;
    this.retriable = info.retriable;
    this.remediation = info.remediation;
    this.retryAfterMs = opts.retryAfterMs;
    this.waitUntil = opts.waitUntil;
    this.offerWide = info.category === 'configuration' && info.perRecord !== true;
  }
}

export function leadflowError(code: ErrorClass, message: string, opts?: LeadflowErrorOptions): LeadflowError {
  return new LeadflowError(code, message, opts);
}

export function isLeadflowError(err: unknown): err is LeadflowError {
  return err instanceof LeadflowError;
}

/**
 * Every (class, category) a dead letter of `stage` can carry: its own classes and the stage-less ones, a transient
 * class both as such and exhausted. Services start their dead-letter counters at 0 for each, so a rate reads 0
 * (not "no series") before the first dead letter.
 */
export function deadLetterSeriesOf(stage: DlqStage): { errorClass: ErrorClass; category: ErrorCategory }[] {
  return (Object.entries(ERROR_CATALOG) as [ErrorClass, ErrorClassInfo][])
    .filter(([, info]) => info.stage === stage || info.stage === 'any')
    .flatMap(([errorClass, info]): { errorClass: ErrorClass; category: ErrorCategory }[] =>
      info.category === 'transient'
        ? [
            { errorClass, category: 'transient' },
            { errorClass, category: 'transient-exhausted' },
          ]
        : [{ errorClass, category: info.category }],
    );
}
