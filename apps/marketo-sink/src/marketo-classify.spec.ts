import { classifyMarketo } from './marketo-classify';
import { readAnswer, recordOutcome } from './marketo-envelope';
import { MarketoError, scrub, type MarketoEndpoint } from './marketo-errors';

const AT = Date.UTC(2026, 2, 10, 15, 30);

/** A whole call's failure, as Marketo answers it (HTTP 200, `success: false`). */
function callFailure(code: string, message: string, endpoint: MarketoEndpoint = 'syncLeads') {
  const body = `{"requestId":"e42b#14272d07d78","success":false,"errors":[{"code":"${code}","message":"${message}"}]}`;
  const answer = readAnswer(endpoint, 200, body, AT);
  if (answer.ok) throw new Error('expected a failure');
  return classifyMarketo(answer.error);
}

/** One skipped record of a successful call. */
function recordFailure(code: string, message: string, endpoint: MarketoEndpoint = 'syncLeads') {
  const body = JSON.stringify({
    requestId: '10667#173bc585ca5',
    success: true,
    result: [{ status: 'skipped', reasons: [{ code, message }] }],
  });
  const answer = readAnswer(endpoint, 200, body, AT);
  if (!answer.ok) throw new Error('expected a successful call');
  const outcome = recordOutcome(endpoint, answer.result[0], AT);
  if (outcome.ok) throw new Error('expected a skipped record');
  return classifyMarketo(outcome.error);
}

describe('Marketo classifier', () => {
  it.each([
    ['601', 'Access token invalid', 'MARKETO.AUTH_FAILED', 'configuration'],
    ['602', 'Access token expired', 'MARKETO.AUTH_FAILED', 'configuration'],
    ['603', 'Access denied', 'MARKETO.ACCESS_DENIED', 'configuration'],
    ['614', 'Invalid Subscription', 'MARKETO.INVALID_SUBSCRIPTION', 'configuration'],
    ['606', "Max rate limit '100' exceeded with in '20' secs", 'MARKETO.QUOTA_EXCEEDED', 'transient'],
    ['615', 'Concurrent access limit reached', 'MARKETO.QUOTA_EXCEEDED', 'transient'],
    ['607', 'Daily quota reached', 'MARKETO.QUOTA_EXCEEDED', 'transient'],
    ['611', 'System error', 'MARKETO.SERVICE_UNAVAILABLE', 'transient'],
    ['609', 'Invalid JSON', 'INTERNAL.UNEXPECTED', 'internal'],
  ])('classifies the response-level %s (%s)', (code, message, cls, category) => {
    const e = callFailure(code, message);
    expect([e.code, e.category]).toEqual([cls, category]);
    expect(e.message).toBe(`Marketo Sync Leads failed: ${code} ${message}`);
  });

  it('gives 606 a retry after the 20 s window, 615 a short one, and 607 the quota reset (12:00 AM CST)', () => {
    expect(callFailure('606', "Max rate limit '100' exceeded with in '20' secs").retryAfterMs).toBe(20_000);
    expect(callFailure('615', 'Concurrent access limit reached').retryAfterMs).toBe(2_000);
    const daily = callFailure('607', 'Daily quota reached');
    expect([daily.waitUntil, daily.retriable]).toEqual([Date.UTC(2026, 2, 11, 6, 0), true]);
  });

  it.each([
    ['1001', "Invalid value 'kim@contoso.example'. Required of type 'email'", 'MARKETO.INVALID_DATA', 'data'],
    ['1003', 'Invalid data', 'MARKETO.INVALID_DATA', 'data'],
    ['1006', "Field 'title' not found", 'MARKETO.FIELD_NOT_FOUND', 'configuration'],
    ['1007', 'Multiple lead match lookup criteria', 'MARKETO.MULTIPLE_LEADS_MATCH', 'configuration'],
    ['1005', 'Lead already exists', 'INTERNAL.UNEXPECTED', 'internal'],
  ])('classifies the record-level %s of Sync Leads', (code, message, cls, category) => {
    const e = recordFailure(code, message);
    expect([e.code, e.category]).toEqual([cls, category]);
  });

  it('names the form for Submit Form: an unknown form id, a field the form lacks', () => {
    expect(callFailure('702', 'Form not found', 'submitForm').code).toBe('MARKETO.FORM_NOT_FOUND');
    expect(recordFailure('1006', "Field 'company' not found", 'submitForm').code).toBe('MARKETO.FORM_NOT_FOUND');
    expect(recordFailure('1007', 'Multiple lead match lookup criteria', 'submitForm').code).toBe(
      'MARKETO.MULTIPLE_LEADS_MATCH',
    );
  });

  it('delivers created and updated records and fails a skipped one alone (the documented Sync Leads answer)', () => {
    const body =
      '{"requestId":"e42b#14272d07d78","success":true,"result":[{"id":50,"status":"created"},{"id":51,"status":"updated"},{"status":"skipped","reasons":[{"code":"1005","message":"Lead already exists"}]}]}';
    const answer = readAnswer('syncLeads', 200, body, AT);
    if (!answer.ok) throw new Error('expected success');
    const outcomes = answer.result.map((r) => recordOutcome('syncLeads', r, AT));
    expect(outcomes.map((o) => (o.ok ? o.externalId : 'failed'))).toEqual(['50', '51', 'failed']);
  });

  it.each([
    [new MarketoError('identity', 'identity', '401', 'invalid_client'), 'MARKETO.AUTH_FAILED'],
    [new MarketoError('syncLeads', 'http', '404', ''), 'MARKETO.INVALID_SUBSCRIPTION'],
    [
      new MarketoError('syncLeads', 'http', '200', 'the answer is not a Marketo REST envelope'),
      'MARKETO.INVALID_SUBSCRIPTION',
    ],
    [new MarketoError('syncLeads', 'http', '502', ''), 'MARKETO.SERVICE_UNAVAILABLE'],
    [new MarketoError('syncLeads', 'http', '413', ''), 'INTERNAL.UNEXPECTED'],
    [
      Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) }),
      'MARKETO.INVALID_SUBSCRIPTION',
    ],
    [
      Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }),
      'MARKETO.SERVICE_UNAVAILABLE',
    ],
    [new DOMException('The operation timed out.', 'TimeoutError'), 'MARKETO.SERVICE_UNAVAILABLE'],
    [new RangeError('bug'), 'INTERNAL.UNEXPECTED'],
  ])('classifies %s', (err, cls) => {
    expect(classifyMarketo(err).code).toBe(cls);
  });

  it('reads a non-200 status and a body that is no envelope as failures of the call', () => {
    const notFound = readAnswer('syncLeads', 404, '<html>Not Found</html>', AT);
    const html = readAnswer('syncLeads', 200, '<html>Welcome</html>', AT);
    expect([notFound.ok, html.ok]).toEqual([false, false]);
    if (!html.ok) expect(classifyMarketo(html.error).code).toBe('MARKETO.INVALID_SUBSCRIPTION');
  });

  it('scrubs values Marketo echoes, keeping field names, types and limits', () => {
    expect(scrub("Invalid value 'kim@contoso.example'. Required of type 'email'")).toBe(
      "Invalid value '***'. Required of type 'email'",
    );
    expect(scrub("Invalid value 'Kim'. Required of type 'string'")).toBe(
      "Invalid value '***'. Required of type 'string'",
    );
    expect(scrub("Field 'title' not found")).toBe("Field 'title' not found");
    expect(scrub("Max rate limit '100' exceeded with in '20' secs")).toBe(
      "Max rate limit '100' exceeded with in '20' secs",
    );
    expect(scrub('Lead kim@contoso.example with phone 4255550100 exists')).toBe('Lead *** with phone *** exists');
    const e = recordFailure('1001', "Invalid value 'kim@contoso.example'. Required of type 'email'");
    expect(e.message).not.toContain('kim@');
  });
});
