import { leadflowError } from '@leadflow/lead-model';
import { classifySalesforce } from './salesforce.classifier';
import {
  fromErrorBody,
  SalesforceAuthError,
  scrub,
  WebToLeadHttpError,
  WebToLeadNetworkError,
} from './salesforce.errors';

/** Bodies as Salesforce sends them (REST API Developer Guide; OAuth 2.0 Authorization Errors). */
const BODIES = {
  invalidSession: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
  requiredField: [
    { message: 'Required fields are missing: [Region__c]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Region__c'] },
  ],
  picklist: [
    {
      message: 'Race: bad value for restricted picklist field: Native American / Alaskan Native',
      errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      fields: ['Race__c'],
    },
  ],
  validation: [
    {
      message: 'Leads must be qualified by a sales rep before they are created.',
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      fields: [],
    },
  ],
  duplicates: [
    {
      duplicateResult: {
        allowSave: false,
        duplicateRule: 'Standard_Lead_Duplicate_Rule',
        duplicateRuleEntityType: 'Lead',
        errorMessage: 'Use one of these records?',
        matchResults: [
          { entityType: 'Lead', matchRecords: [{ matchConfidence: 100, record: { Id: '00Q5e00000AbCdE' } }] },
        ],
      },
      errorCode: 'DUPLICATES_DETECTED',
      message: 'Use one of these records?',
    },
  ],
  requestLimit: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
  /** A record's errors inside an sObject Collections result name the code `statusCode`. */
  collectionPicklist: [
    {
      statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      message: 'Lead Source: bad value for restricted picklist field: AzureMarketplace-INS|contoso.crm',
      fields: ['LeadSource'],
    },
  ],
  invalidEmail: [
    {
      message: 'Email: invalid email address: kim.doe@fabrikam.example',
      errorCode: 'INVALID_EMAIL_ADDRESS',
      fields: ['Email'],
    },
  ],
};

const cls = (err: unknown) => {
  const e = classifySalesforce(err);
  return [e.code, e.category];
};

describe('classifySalesforce', () => {
  it.each([
    ['invalid_client_id', 'client identifier invalid', 'SALESFORCE.AUTH_INVALID_CLIENT'],
    ['invalid_client', 'invalid client credentials', 'SALESFORCE.AUTH_INVALID_CLIENT'],
    ['invalid_grant', 'authentication failure', 'SALESFORCE.AUTH_FAILED'],
    ['invalid_grant', 'no client credentials user enabled', 'SALESFORCE.AUTH_FAILED'],
  ])('token endpoint %s (%s) → %s', (error, description, code) => {
    expect(cls(new SalesforceAuthError(error, description))).toEqual([code, 'configuration']);
  });

  it.each([
    ['requiredField', 'SALESFORCE.REQUIRED_FIELD_MISSING', 'configuration'],
    ['picklist', 'SALESFORCE.RESTRICTED_PICKLIST', 'configuration'],
    ['collectionPicklist', 'SALESFORCE.RESTRICTED_PICKLIST', 'configuration'],
    ['validation', 'SALESFORCE.VALIDATION_RULE', 'configuration'],
    ['duplicates', 'SALESFORCE.DUPLICATE_RULE', 'configuration'],
    ['requestLimit', 'SALESFORCE.API_LIMIT', 'transient'],
    ['invalidSession', 'SALESFORCE.AUTH_FAILED', 'configuration'],
  ] as const)('REST body %s → %s', (body, code, category) => {
    expect(cls(fromErrorBody(BODIES[body]))).toEqual([code, category]);
  });

  it('keeps what Salesforce said (code, message, fields) in the message', () => {
    expect(classifySalesforce(fromErrorBody(BODIES.requiredField)).message).toBe(
      'REQUIRED_FIELD_MISSING: Required fields are missing: [Region__c] (fields: Region__c)',
    );
    expect(classifySalesforce(fromErrorBody(BODIES.collectionPicklist)).message).toContain(
      'bad value for restricted picklist field: AzureMarketplace-INS|contoso.crm',
    );
  });

  it("scrubs e-mail addresses, phone numbers and the lead's own values from what Salesforce echoes", () => {
    const msg = classifySalesforce(fromErrorBody(BODIES.invalidEmail)).message;
    expect(msg).not.toContain('fabrikam');
    expect(msg).toContain('INVALID_EMAIL_ADDRESS');
    const echoed = [
      { message: 'Kim Doe (+1 425 555 0100) is not allowed', errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
    ];
    expect(classifySalesforce(fromErrorBody(echoed, ['Kim', 'Doe'])).message).toBe(
      'FIELD_CUSTOM_VALIDATION_EXCEPTION: *** *** (***) is not allowed',
    );
    expect(scrub('write to ana@contoso.example now')).toBe('write to *** now');
  });

  it('treats server errors, timeouts and resets as passing, and an endpoint that is not Salesforce as configuration', () => {
    const [code503, cat503] = cls(fromErrorBody([{ errorCode: 'ERROR_HTTP_503', message: 'Service Unavailable' }]));
    expect(cat503).toBe('transient');
    expect(
      cls(fromErrorBody([{ errorCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access' }])),
    ).toEqual([code503, 'transient']);
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    });
    expect(cls(reset)[1]).toBe('transient');
    expect(cls(new DOMException('The operation was aborted', 'AbortError'))[1]).toBe('transient');
    expect(cls(new WebToLeadHttpError(502))[1]).toBe('transient');
    expect(cls(new WebToLeadHttpError(404))[1]).toBe('configuration');
    const nodns = new TypeError('fetch failed', {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }),
    });
    expect(cls(new WebToLeadNetworkError(nodns))[1]).toBe('configuration');
    expect(cls(nodns)[1]).toBe('configuration');
  });

  it('passes classified errors through and calls anything else a bug', () => {
    const waiting = leadflowError('SALESFORCE.DAILY_LIMIT', 'wait', { waitUntil: 42 });
    expect(classifySalesforce(waiting)).toBe(waiting);
    expect(cls(new RangeError('oops'))).toEqual(['INTERNAL.UNEXPECTED', 'internal']);
  });
});
