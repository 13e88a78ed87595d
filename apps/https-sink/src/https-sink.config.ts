import { z } from 'zod';
import { loadEnv } from '@leadflow/service-config';
import type { AllowedAddresses } from './address-policy';

/** The https sink's own variable (the common sink variables are read by the runtime). */
const Schema = z.object({ LEADFLOW_HTTPS_ALLOW: z.enum(['none', 'loopback', 'private']).default('none') });

export function readHttpsSinkConfig(env: Readonly<Record<string, string | undefined>> = process.env): {
  allow: AllowedAddresses;
} {
  return { allow: loadEnv(Schema, env, 'https-sink').LEADFLOW_HTTPS_ALLOW };
}
