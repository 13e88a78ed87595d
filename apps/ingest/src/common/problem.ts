/**
 * RFC 9457 problem details: every error the ingest answers is one of these, as
 * `application/problem+json`. Pure: no framework here; the exception filter is the shell.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A failing input field: dotted path from the body's root (`leads.3.customer.email`) and what is wrong. */
export interface ProblemFieldError {
  readonly path: string;
  readonly message: string;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly errors?: readonly ProblemFieldError[];
  /** Catalog class, for configuration problems that the error catalog names (e.g. ROUTER.DESTINATION_RETIRED). */
  readonly errorClass?: string;
  readonly remediation?: string;
}

/** Stable problem type URIs; clients may switch on them. */
export const ProblemType = {
  invalidJson: 'urn:leadflow:problem:invalid-json',
  validation: 'urn:leadflow:problem:validation-error',
  tooLarge: 'urn:leadflow:problem:content-too-large',
  unsupportedMediaType: 'urn:leadflow:problem:unsupported-media-type',
  unauthorized: 'urn:leadflow:problem:unauthorized',
  forbidden: 'urn:leadflow:problem:forbidden',
  notFound: 'urn:leadflow:problem:not-found',
  methodNotAllowed: 'urn:leadflow:problem:method-not-allowed',
  rateLimited: 'urn:leadflow:problem:rate-limited',
  identityUnavailable: 'urn:leadflow:problem:identity-unavailable',
  destinationRetired: 'urn:leadflow:problem:destination-retired',
  brokerUnavailable: 'urn:leadflow:problem:broker-unavailable',
  internal: 'urn:leadflow:problem:internal',
  http: 'about:blank',
} as const;

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  411: 'Length Required',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function statusTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/** A problem to answer with, plus response headers (WWW-Authenticate, Retry-After). */
export class ProblemException extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(problem.detail ?? problem.title);
    this.name = 'ProblemException';
  }
}

export function validationProblem(errors: readonly ProblemFieldError[], detail?: string): Problem {
  const fields = [...new Set(errors.map((e) => e.path || '(body)'))];
  return {
    type: ProblemType.validation,
    title: 'The request is not valid',
    status: 400,
    detail: detail ?? `Invalid field${fields.length === 1 ? '' : 's'}: ${fields.join(', ')}.`,
    errors,
  };
}

/** Seconds a client should wait before retrying when the broker is unavailable. */
export const BROKER_RETRY_AFTER_SECONDS = 5;

export function brokerUnavailable(
  detail = 'The lead was not accepted because the message broker is unavailable; retry later.',
): ProblemException {
  return new ProblemException(
    { type: ProblemType.brokerUnavailable, title: 'Broker unavailable', status: 503, detail },
    { 'retry-after': String(BROKER_RETRY_AFTER_SECONDS) },
  );
}

export function notFound(detail: string): ProblemException {
  return new ProblemException({ type: ProblemType.notFound, title: 'Not Found', status: 404, detail });
}

/**
 * The 404 of an offer the caller cannot see: the same answer whether the offer has no destination or belongs to
 * another publisher (OWASP API1: do not confirm that another's object exists).
 */
export function offerNotFound(offerId: string): ProblemException {
  return notFound(`Offer ${offerId} has no destination.`);
}

/** 503 when the identity provider's keys cannot be fetched: the token was not judged, so it is not a 401. */
export function identityUnavailable(detail: string): ProblemException {
  return new ProblemException(
    { type: ProblemType.identityUnavailable, title: statusTitle(503), status: 503, detail },
    { 'retry-after': String(BROKER_RETRY_AFTER_SECONDS) },
  );
}

/** 405 for a path that exists with other methods; `Allow` lists them (RFC 9110 §15.5.6). */
export function methodNotAllowed(allowed: readonly string[]): ProblemException {
  return new ProblemException(
    {
      type: ProblemType.methodNotAllowed,
      title: statusTitle(405),
      status: 405,
      detail: `This resource answers ${allowed.join(', ')} only.`,
    },
    { allow: allowed.join(', ') },
  );
}

/** 429 once a client used up its requests of the window; Retry-After is the rest of the window (RFC 6585 §4). */
export function tooManyRequests(retryAfterSeconds: number): ProblemException {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new ProblemException(
    {
      type: ProblemType.rateLimited,
      title: statusTitle(429),
      status: 429,
      detail: `Too many requests for this credential; retry after ${seconds} s.`,
    },
    { 'retry-after': String(seconds) },
  );
}

function field(err: object, name: string): unknown {
  return (err as Record<string, unknown>)[name];
}

/** Fastify's own request errors (body parsing, limits), by their stable codes. */
const FASTIFY_CODES: Readonly<Record<string, { type: string; status: number; detail: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    type: ProblemType.tooLarge,
    status: 413,
    detail: 'The request body is larger than this endpoint accepts.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    type: ProblemType.unsupportedMediaType,
    status: 415,
    detail: 'Send the body as application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    type: ProblemType.invalidJson,
    status: 400,
    detail: 'The Content-Length does not match the body.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { type: ProblemType.invalidJson, status: 400, detail: 'The request body is empty.' },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    type: ProblemType.invalidJson,
    status: 400,
    detail: 'The request body is not valid JSON.',
  },
  FST_ERR_CTP_INSTANCE_ALREADY_STARTED: { type: ProblemType.internal, status: 500, detail: 'Internal error.' },
};

/**
 * Any thrown value → the problem to answer with. Details are only passed on for client errors whose
 * text we wrote or know to be safe; a 5xx never carries an error message or stack to the client.
 */
export function problemFromError(
  err: unknown,
  instance?: string,
): { problem: Problem; headers: Record<string, string> } {
  const withInstance = (problem: Problem): Problem => (instance === undefined ? problem : { ...problem, instance });
  if (err instanceof ProblemException) return { problem: withInstance(err.problem), headers: { ...err.headers } };
  if (typeof err === 'object' && err !== null) {
    const code = field(err, 'code');
    const known = typeof code === 'string' ? FASTIFY_CODES[code] : undefined;
    if (known) {
      return {
        problem: withInstance({
          type: known.type,
          title: statusTitle(known.status),
          status: known.status,
          detail: known.detail,
        }),
        headers: {},
      };
    }
    // JSON.parse and secure-json-parse errors: their text can quote the body, so it is not echoed.
    if (err instanceof SyntaxError) {
      return {
        problem: withInstance({
          type: ProblemType.invalidJson,
          title: statusTitle(400),
          status: 400,
          detail: 'The request body is not valid JSON.',
        }),
        headers: {},
      };
    }
    const getStatus = field(err, 'getStatus');
    const status = typeof getStatus === 'function' ? Number(getStatus.call(err)) : Number(field(err, 'statusCode'));
    if (Number.isInteger(status) && status >= 400 && status < 500) {
      const type = status === 404 ? ProblemType.notFound : ProblemType.http;
      return { problem: withInstance({ type, title: statusTitle(status), status }), headers: {} };
    }
  }
  return {
    problem: withInstance({
      type: ProblemType.internal,
      title: statusTitle(500),
      status: 500,
      detail: 'An unexpected error occurred.',
    }),
    headers: {},
  };
}
