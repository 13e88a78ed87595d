export {
  ACTIONS,
  ROLES,
  decide,
  hasAction,
  offerFilter,
  publisherOf,
  publishersFor,
  publishersFrom,
  rolesFrom,
  type Action,
  type Caller,
  type Decision,
  type PublisherScope,
  type Role,
} from './decide';
export {
  StaticTokens,
  StaticTokenSchema,
  StaticTokensSchema,
  tokenDigest,
  type StaticTokenEntry,
} from './static-tokens';
export {
  ASYMMETRIC_ALGORITHMS,
  JwtVerifier,
  looksLikeJwt,
  type JwtAlgorithm,
  type JwtRejection,
  type JwtResult,
  type JwtSettings,
} from './jwt-verifier';
