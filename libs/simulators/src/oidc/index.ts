export {
  createOidcIssuer,
  OIDC_TENANT_ID,
  type OidcIssuer,
  type OidcIssuerOptions,
  type IssuedToken,
} from './oidc-issuer.simulator';
export { LOCAL_AUDIENCE, LOCAL_OIDC_CLIENTS, type OidcClient } from './oidc-clients';
