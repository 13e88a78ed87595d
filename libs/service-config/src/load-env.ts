import type { z } from 'zod';
import { ConfigError } from './config-error';

/** Empty strings count as unset, so `FOO=` in a shell falls back to the default. */
function present(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

/** Validates the environment against a service's schema, once, at start. */
export function loadEnv<S extends z.ZodObject>(
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
  service: string,
): z.infer<S> {
  const values = present(env);
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => {
    const variable = String(i.path[0] ?? '(environment)');
    return { variable, message: values[variable] === undefined ? 'is required' : i.message };
  });
  const variables = [...new Set(issues.map((i) => i.variable))];
  throw new ConfigError(
    variables,
    `Invalid ${service} configuration: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`,
  );
}
