/**
 * What went wrong on the way to Dataverse, as facts (who answered, with which code), before classification.
 * Messages are the service's own words, already scrubbed of secrets, tokens and PII where they are made.
 */

/** Entra ID answered a sign-in with an error body (`error`, `error_codes`, `error_description`). */
export class EntraFailure extends Error {
  override readonly name = 'EntraFailure';
  constructor(
    /** The AADSTS numbers of `error_codes`. */
    readonly codes: readonly number[],
    /** The OAuth `error` value (invalid_client, invalid_grant, …). */
    readonly error: string,
    readonly status: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** The authority did not answer (network failure, timeout, 5xx): sign-in can be retried. */
export class AuthorityUnavailable extends Error {
  override readonly name = 'AuthorityUnavailable';
}

/** Dataverse answered the create with an error status. */
export class DataverseFailure extends Error {
  override readonly name = 'DataverseFailure';
  constructor(
    readonly status: number,
    /** `error.code` of the body (hex, e.g. 0x80040220), '' when the body carries none. */
    readonly code: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Dataverse refused a fresh token too: the signed-in principal has no access to this instance. */
export class TokenRefused extends Error {
  override readonly name = 'TokenRefused';
  constructor(
    readonly authKind: 'aad' | 'office365',
    message: string,
  ) {
    super(message);
  }
}

/** What was reached at the URL is not a Dataverse instance: it does not resolve, refuses TLS, or never answers. */
export class InstanceUnreachable extends Error {
  override readonly name = 'InstanceUnreachable';
}

/** A transient transport failure talking to Dataverse (reset, temporary DNS failure). */
export class DataverseUnavailable extends Error {
  override readonly name = 'DataverseUnavailable';
}

/** The sink is shutting down: the delivery is handed back, not failed. */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
}
