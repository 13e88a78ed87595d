export { DYNAMICS_SCENARIOS, DYNAMICS_CRM_APP_ID } from './scenarios';
export { createEntraSimulator, type EntraState, type TokenRequestRecord } from './entra.simulator';
export {
  createDataverseSimulator,
  type DataverseState,
  type DataverseLeadRecord,
  type DataverseSimulatorOptions,
} from './dataverse.simulator';
