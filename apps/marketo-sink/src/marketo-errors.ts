/** Which Marketo call failed. */
export type MarketoEndpoint = 'identity' | 'syncLeads' | 'submitForm';

/**
 * Where Marketo said no ("Error Codes"): `identity` (HTTP status of the identity service), `http` (a REST call's
 * HTTP status other than 200), `response` (`success: false`, the whole call), `record` (`status: skipped`, one
 * record), `pacer` (leadflow's own pacing: the daily quota it counts, or a wait cut short).
 */
export type MarketoLevel = 'identity' | 'http' | 'response' | 'record' | 'pacer';

/**
 * One failure of a Marketo call, as raw as it came: the classifier maps it to the error catalog. The message is
 * what Marketo said, already scrubbed of values (it may echo a record's e-mail or name).
 */
export class MarketoError extends Error {
  /** When the failure happened (epoch ms): the 607 daily quota wait is measured from it. */
  readonly at: number;

  constructor(
    readonly endpoint: MarketoEndpoint,
    readonly level: MarketoLevel,
    /** Marketo's code (`"606"`, `"1003"`), the HTTP status (`"401"`), or the pacer's reason. */
    readonly code: string,
    message: string,
    opts: { at?: number; cause?: unknown; waitMs?: number } = {},
  ) {
    super(scrub(message), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'MarketoError';
    this.at = opts.at ?? Date.now();
    this.waitMs = opts.waitMs;
  }

  /** For `pacer` failures: how long until the pacer expects a free slot. */
  readonly waitMs: number | undefined;
}

const EMAIL = /[^\s'"@]+@[^\s'"@]+/g;
/** A quoted value that does not follow "Field " (a field name leadflow sent) or "type " (a Marketo type). */
const QUOTED_VALUE = /(?<!\b(?:Field|field|type) )'([^']*)'/g;
const LONG_DIGITS = /\d{6,}/g;
const SMALL_NUMBER = /^\d{1,5}$/;

/**
 * Marketo echoes values in its messages (1001 `Invalid value 'kim@contoso.example'. Required of type 'email'`):
 * quoted values are masked (field names, types and small numbers such as the rate limit's are kept), and so are
 * e-mail addresses and long digit runs (phone numbers) wherever they appear.
 */
export function scrub(message: string): string {
  return message
    .replace(QUOTED_VALUE, (whole, inner: string) => (SMALL_NUMBER.test(inner) ? whole : "'***'"))
    .replace(EMAIL, '***')
    .replace(LONG_DIGITS, '***')
    .slice(0, 500);
}
