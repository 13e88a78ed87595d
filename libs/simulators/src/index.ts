export { startSimulator, Recorder, type SimulatorApp, type StartedSimulator } from './server';
export {
  DYNAMICS_SCENARIOS,
  DYNAMICS_CRM_APP_ID,
  createEntraSimulator,
  createDataverseSimulator,
  type EntraState,
  type TokenRequestRecord,
  type DataverseState,
  type DataverseLeadRecord,
  type DataverseSimulatorOptions,
} from './dynamics';
export { SIMULATORS, type SimulatorEntry } from './catalog';
export {
  createSalesforceSimulator,
  type SalesforceSimulatorOptions,
  type SalesforceSimulatorState,
  type SalesforceEndpoint,
  type StoredLead,
  type DroppedLead,
  type TokenGrant,
} from './salesforce/salesforce.simulator';
export { SALESFORCE_SCENARIOS } from './salesforce/salesforce.scenarios';
export {
  marketoSimulator,
  type MarketoSimulatorOptions,
  type MarketoSimulatorState,
} from './marketo/marketo.simulator';
export { MARKETO_SCENARIOS, MARKETO_FORM_FIELDS, MARKETO_LEAD_FIELDS } from './marketo/marketo-scenarios';
export { MARKETO_LIMITS, type LimitSettings } from './marketo/marketo-limits';
export {
  createOidcIssuer,
  OIDC_TENANT_ID,
  LOCAL_AUDIENCE,
  LOCAL_OIDC_CLIENTS,
  type OidcIssuer,
  type OidcIssuerOptions,
  type OidcClient,
  type IssuedToken,
} from './oidc';
