import {
  SALESFORCE_SCENARIOS,
  type SalesforceClientScenario,
  type SalesforceOrgScenario,
} from './salesforce.scenarios';

/**
 * One error of a REST answer, as Salesforce writes it: `[{message, errorCode, fields}]` for a single call
 * ("Status Codes and Error Responses", REST API Developer Guide). Inside sObject Collections results the code is
 * named `statusCode` instead (see `collectionError`).
 */
export interface SalesforceError {
  readonly message: string;
  readonly errorCode: string;
  readonly fields?: readonly string[];
  readonly duplicateResult?: unknown;
}

export type LeadFields = Readonly<Record<string, unknown>>;

/** What the org behind a connected app or a Web-to-Lead org id does with a lead record. */
export type OrgBehaviour = Exclude<SalesforceClientScenario, 'unknown'> | Exclude<SalesforceOrgScenario, 'unknown'>;

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** Lead's universally required fields (Lead object reference): a record without them is never saved. */
const UNIVERSALLY_REQUIRED = ['LastName', 'Company'] as const;

/**
 * The org's checks on one Lead record, in the order Salesforce runs them on save: required fields, restricted
 * picklists, validation rules, then duplicate rules. Returns the errors of a rejected record, or none.
 */
export function validateLead(fields: LeadFields, org: OrgBehaviour, leadId: string): SalesforceError[] {
  const missing: string[] = UNIVERSALLY_REQUIRED.filter((f) => text(fields[f]) === '');
  if (org === 'requiredField' && text(fields['Region__c']) === '') missing.push('Region__c');
  if (missing.length > 0) {
    return [
      {
        message: `Required fields are missing: [${missing.join(', ')}]`,
        errorCode: 'REQUIRED_FIELD_MISSING',
        fields: missing,
      },
    ];
  }
  if (org === 'restrictedPicklist') {
    const source = text(fields['LeadSource']);
    if (!(SALESFORCE_SCENARIOS.leadSourcePicklist as readonly string[]).includes(source)) {
      return [
        {
          message: `Lead Source: bad value for restricted picklist field: ${source}`,
          errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          fields: ['LeadSource'],
        },
      ];
    }
  }
  if (org === 'validationRule') {
    return [
      {
        message: 'Leads must be qualified by a sales rep before they are created.',
        errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        fields: [],
      },
    ];
  }
  if (text(fields['Title']) === SALESFORCE_SCENARIOS.rejectedTitle) {
    return [
      { message: 'Title is not an accepted job title.', errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', fields: [] },
    ];
  }
  if (org === 'duplicateRule') return [duplicatesDetected(leadId)];
  return [];
}

/** The DUPLICATES_DETECTED error with its `duplicateResult` (DuplicateResult, Salesforce object reference). */
function duplicatesDetected(existingId: string): SalesforceError {
  return {
    message: 'Use one of these records?',
    errorCode: 'DUPLICATES_DETECTED',
    fields: [],
    duplicateResult: {
      allowSave: false,
      duplicateRule: 'Standard_Lead_Duplicate_Rule',
      duplicateRuleEntityType: 'Lead',
      errorMessage: 'Use one of these records?',
      matchResults: [
        {
          entityType: 'Lead',
          errors: [],
          matchEngine: 'FuzzyMatchEngine',
          matchRecords: [
            {
              additionalInformation: [],
              fieldDiffs: [],
              matchConfidence: 100.0,
              record: { attributes: { type: 'Lead' }, Id: existingId },
            },
          ],
          rule: 'Standard_Lead_Match_Rule_v1_0',
          size: 1,
          success: true,
        },
      ],
    },
  };
}

/** sObject Collections report each record's errors with `statusCode` where single calls say `errorCode`. */
export function collectionError(e: SalesforceError): Record<string, unknown> {
  const { errorCode, ...rest } = e;
  return { statusCode: errorCode, ...rest, fields: e.fields ?? [] };
}

/** Real answers of the REST API and the token endpoint (bodies as Salesforce sends them). */
export const ANSWERS = {
  invalidSession: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
  requestLimit: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
  tooManyRecords: [
    {
      message: `record limit reached. cannot submit more than ${SALESFORCE_SCENARIOS.collectionLimit} records into this call`,
      errorCode: 'EXCEEDED_ID_LIMIT',
    },
  ],
  malformed: (what: string) => [{ message: what, errorCode: 'JSON_PARSER_ERROR' }],
  notFound: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }],
  invalidClientId: { error: 'invalid_client_id', error_description: 'client identifier invalid' },
  invalidClient: { error: 'invalid_client', error_description: 'invalid client credentials' },
  invalidGrant: { error: 'invalid_grant', error_description: 'authentication failure' },
  unsupportedGrant: { error: 'unsupported_grant_type', error_description: 'grant type not supported' },
} as const;

/** Web-to-Lead's form fields mapped to Lead fields, as a generated Web-to-Lead form names them. */
export const WEB_TO_LEAD_FIELDS: Readonly<Record<string, string>> = {
  first_name: 'FirstName',
  last_name: 'LastName',
  email: 'Email',
  company: 'Company',
  phone: 'Phone',
  title: 'Title',
  country: 'Country',
  description: 'Description',
  lead_source: 'LeadSource',
};
