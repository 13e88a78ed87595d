import { z } from 'zod';
import { envVar } from '@leadflow/service-config';
import type { EntraTokenProviderOptions } from './entra-token.provider';

/**
 * Microsoft's sample public client for Dataverse, meant for development
 * (https://learn.microsoft.com/power-apps/developer/data-platform/xrm-tooling/use-connection-strings-xrm-tooling-connect).
 * A production operator registers its own public client (allow public client flows) and sets it here.
 */
const SAMPLE_PUBLIC_CLIENT_ID = '51f81489-12ee-4a9e-aaae-a2591f45987d';

/** The dynamics-sink's own variables (the common sink variables come from the runtime). */
export const DYNAMICS_SINK_ENV = {
  /** Application (client) id of the public client used by the Microsoft 365 password flow. */
  LEADFLOW_DYNAMICS_PUBLIC_CLIENT_ID: z
    .string()
    .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID')
    .default(SAMPLE_PUBLIC_CLIENT_ID),
  /** One request to Entra ID gives up after this long. */
  LEADFLOW_DYNAMICS_SIGN_IN_TIMEOUT_MS: envVar.int(500, 120_000, 10_000),
  /** Sign-in clients kept in memory (one per tenant + app + secret, or user + password). */
  LEADFLOW_DYNAMICS_MAX_CLIENTS: envVar.int(1, 100_000, 1_000),
};

export type DynamicsSinkEnv = z.output<z.ZodObject<typeof DYNAMICS_SINK_ENV>>;

export function tokenProviderOptions(env: DynamicsSinkEnv): EntraTokenProviderOptions {
  return {
    publicClientId: env.LEADFLOW_DYNAMICS_PUBLIC_CLIENT_ID,
    timeoutMs: env.LEADFLOW_DYNAMICS_SIGN_IN_TIMEOUT_MS,
    maxClients: env.LEADFLOW_DYNAMICS_MAX_CLIENTS,
  };
}
