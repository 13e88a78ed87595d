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
export {
  marketoSimulator,
  type MarketoSimulatorOptions,
  type MarketoSimulatorState,
} from './marketo/marketo.simulator';
export { MARKETO_SCENARIOS, MARKETO_FORM_FIELDS, MARKETO_LEAD_FIELDS } from './marketo/marketo-scenarios';
export { MARKETO_LIMITS, type LimitSettings } from './marketo/marketo-limits';
