/**
 * The values that choose a scenario in the Entra ID and Dataverse simulators. A test, the demo or a person trying
 * leadflow configures a Dynamics offer with them; nothing else selects a scenario. Any value not listed here
 * succeeds (any tenant GUID or domain exists, any client id is registered, any secret or password is right, any
 * instance path is a working Dataverse instance).
 */
export const DYNAMICS_SCENARIOS = {
  /** Directory (tenant) ids. */
  tenant: {
    ok: '72f988bf-0000-4000-8000-00000000c0de',
    /** AADSTS90002, answered on the OpenID configuration request (and the token endpoint). */
    notFound: '00090002-0000-4000-8000-000000000000',
    /** AADSTS900023: passes a GUID-or-domain check but is not a valid DNS name (empty label). */
    malformed: 'contoso..onmicrosoft.com',
  },
  /** Application (client) ids. */
  client: {
    ok: '23456052-aaaa-bbbb-8662-1234df56788f',
    /** AADSTS700016. */
    notFound: '00700016-0000-4000-8000-000000000000',
  },
  /** Client secrets. */
  secret: {
    ok: 'sim~client-secret-value',
    /** AADSTS7000215. */
    invalid: 'sim~invalid-secret-7000215',
    /** AADSTS7000222. */
    expired: 'sim~expired-secret-7000222',
  },
  /** Microsoft 365 user names (resource-owner password flow). */
  user: {
    ok: 'leadwriter@contoso.onmicrosoft.com',
    /** AADSTS50034. */
    notFound: 'nobody@contoso.onmicrosoft.com',
    /** AADSTS50076 (must use MFA). */
    mfa: 'mfa.required@contoso.onmicrosoft.com',
    /** AADSTS50079 (must enroll in MFA). */
    mfaEnroll: 'mfa.enroll@contoso.onmicrosoft.com',
  },
  password: {
    ok: 'sim~P@ssw0rd',
    /** AADSTS50126 for any user. */
    wrong: 'sim~wrong-password-50126',
  },
  /** Instance paths: the destination URL is `https://<dataverse simulator>/<path>`. */
  instance: {
    ok: 'contoso',
    /** 403 0x80040220 PrivilegeDenied (missing prvCreateLead). */
    privilegeDenied: 'no-lead-privilege',
    /** 403 0x8004F502 AttributePrivilegeCreateIsMissing (field security). */
    fieldPrivilegeMissing: 'no-field-privilege',
    /** 403 0x80042f09 no roles assigned. */
    noRoles: 'no-roles',
    /** 403 0x8004D24B no license. */
    noLicense: 'no-license',
    /** Each lead's first create answers 429 (0x80072322) with `Retry-After: 1`; the next one succeeds. */
    throttledOnce: 'throttled-once',
    /** Every create answers 429 (0x80072322) with `Retry-After: 1`: service protection limits never lift. */
    throttled: 'throttled',
    /** The first access token presented here is refused with 401 (as if revoked); a fresh token works. */
    tokenRevokedOnce: 'token-revoked-once',
    /** Every token is refused with 401. */
    tokenRefused: 'token-refused',
    /** Every lead is refused with 400 0x80040265 by a (simulated) synchronous plug-in that echoes the lead. */
    rejectRecord: 'reject-record',
    /** 404 on the Web API path: not a Dataverse instance. */
    notDataverse: 'not-dataverse',
    /** Never answers (until the caller gives up): "The request channel timed out while waiting for a reply". */
    noReply: 'no-reply',
  },
} as const;

/** The Dynamics CRM first-party application id: the resource Entra names in MFA errors of the password flow. */
export const DYNAMICS_CRM_APP_ID = '00000007-0000-0000-c000-000000000000';
