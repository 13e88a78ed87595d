export { startSimulator, Recorder, type SimulatorApp, type StartedSimulator } from './server';
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
