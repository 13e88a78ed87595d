/**
 * What Salesforce answered, reduced to what the classifier needs. The I/O layers raise these; messages are
 * scrubbed of personal data before they are built (see `scrub`).
 */

/** The token endpoint refused the client or the user: `{"error","error_description"}` (OAuth 2.0 errors). */
export class SalesforceAuthError extends Error {
  override readonly name = 'SalesforceAuthError';
  constructor(
    readonly error: string,
    description: string,
  ) {
    super(`${error}: ${description}`);
  }
}

/** One entry of a REST error array (`errorCode`) or of a collection result's `errors` (`statusCode`). */
export interface SalesforceErrorEntry {
  readonly errorCode: string;
  readonly message: string;
  readonly fields: readonly string[];
}

/** The REST API refused a request or one record: `[{message, errorCode, fields}]`. */
export class SalesforceApiError extends Error {
  override readonly name = 'SalesforceApiError';
  constructor(readonly errors: readonly SalesforceErrorEntry[]) {
    super(
      errors
        .map((e) => `${e.errorCode}: ${e.message}${e.fields.length > 0 ? ` (fields: ${e.fields.join(', ')})` : ''}`)
        .join('; ') || 'Salesforce refused the request without an error',
    );
  }
  /** The first error's code: Salesforce lists the blocking error first. */
  get code(): string {
    return this.errors[0]?.errorCode ?? 'UNKNOWN';
  }
}

/** The Web-to-Lead servlet answered with an HTTP error (it answers 200 whatever happens to a lead). */
export class WebToLeadHttpError extends Error {
  override readonly name = 'WebToLeadHttpError';
  constructor(readonly status: number) {
    super(`the Web-to-Lead URL answered HTTP ${status}`);
  }
}

/** The Web-to-Lead POST got no answer (the cause is the network error). */
export class WebToLeadNetworkError extends Error {
  override readonly name = 'WebToLeadNetworkError';
  constructor(cause: unknown) {
    super(`the Web-to-Lead URL did not answer: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

const EMAIL = /[^\s@"'<>()[\],;:]+@[^\s@"'<>()[\],;:]+\.[A-Za-z]{2,}/g;
const PHONE = /\+?\d[\d ().-]{6,}\d/g;

/** Removes e-mail addresses, phone numbers and the given personal values from text Salesforce echoed back. */
export function scrub(text: string, personal: readonly string[] = []): string {
  let out = text;
  for (const value of [...personal].sort((a, b) => b.length - a.length)) out = out.split(value).join('***');
  return out.replace(EMAIL, '***').replace(PHONE, '***');
}

/** Reads an error entry from either shape, or undefined when it is not one. */
export function errorEntry(value: unknown, personal: readonly string[] = []): SalesforceErrorEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const code = typeof v['errorCode'] === 'string' ? v['errorCode'] : v['statusCode'];
  if (typeof code !== 'string') return undefined;
  const fields = Array.isArray(v['fields']) ? v['fields'].filter((f): f is string => typeof f === 'string') : [];
  return { errorCode: code, message: scrub(typeof v['message'] === 'string' ? v['message'] : '', personal), fields };
}

/** A REST error array or a collection result's `errors`, as a SalesforceApiError (personal values scrubbed). */
export function fromErrorBody(body: unknown, personal: readonly string[] = []): SalesforceApiError {
  const entries = (Array.isArray(body) ? body : [body])
    .map((e) => errorEntry(e, personal))
    .filter((e): e is SalesforceErrorEntry => e !== undefined);
  return new SalesforceApiError(entries);
}
