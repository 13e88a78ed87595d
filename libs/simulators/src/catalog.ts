import { createSalesforceSimulator } from './salesforce/salesforce.simulator';
import { marketoSimulator } from './marketo/marketo.simulator';
import type { SimulatorApp } from './server';
import { createDataverseSimulator, createEntraSimulator } from './dynamics';
import { createOidcIssuer } from './oidc';

/**
 * Every CRM simulator of the local stack, each on its own HTTPS port (the real services live on different hosts;
 * separate ports keep their paths exactly as the real ones). `LEADFLOW_SIM_<NAME>_PORT` overrides the default.
 * Adding a simulator is one entry here.
 */
export interface SimulatorEntry {
  /** Upper-case letters and digits: names the port variable. */
  readonly name: string;
  readonly defaultPort: number;
  readonly create: () => SimulatorApp;
}

export const SIMULATORS: readonly SimulatorEntry[] = [
  // Entra ID for Dynamics 365 sign-in: the destination's `authorityHost`.
  { name: 'ENTRA', defaultPort: 9441, create: createEntraSimulator },
  // Dataverse Web API: the destination's `url` is this base plus an instance path (DYNAMICS_SCENARIOS.instance).
  { name: 'DATAVERSE', defaultPort: 9442, create: () => createDataverseSimulator() },
  { name: 'SALESFORCE', defaultPort: 9443, create: () => createSalesforceSimulator() },
  { name: 'MARKETO', defaultPort: 9444, create: () => marketoSimulator() },
  // leadflow's own identity provider in the local stack: signed tokens for ingest, leadctl and the demo.
  { name: 'OIDC', defaultPort: 9445, create: () => createOidcIssuer() },
];
