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
