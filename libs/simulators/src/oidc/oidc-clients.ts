/**
 * The local stack's OAuth clients: one per role, and one publisher per demo publisher. Development-only secrets
 * (the issuer exists only on a developer's machine and in tests); a real deployment registers its clients in Entra.
 */
export interface OidcClient {
  readonly clientId: string;
  readonly secret: string;
  /** Values of the roles claim (leadflow's role names). */
  readonly roles: readonly string[];
  /** Values of the publishers claim. */
  readonly publishers: readonly string[];
}

/** The audience of the local stack's API (the App ID URI an Entra app registration would have). */
export const LOCAL_AUDIENCE = 'api://leadflow';

export const LOCAL_OIDC_CLIENTS: readonly OidcClient[] = [
  { clientId: 'leadflow-operator', secret: 'dev-operator-secret', roles: ['operator'], publishers: [] },
  { clientId: 'leadflow-producer', secret: 'dev-producer-secret', roles: ['producer'], publishers: [] },
  { clientId: 'leadflow-analyst', secret: 'dev-analyst-secret', roles: ['analyst'], publishers: ['*'] },
  { clientId: 'contoso-publisher', secret: 'dev-contoso-secret', roles: ['publisher'], publishers: ['contoso'] },
  { clientId: 'fabrikam-publisher', secret: 'dev-fabrikam-secret', roles: ['publisher'], publishers: ['fabrikam'] },
];
