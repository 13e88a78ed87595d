import { RouteConfig } from '@nestjs/platform-fastify';
import { ACTIONS, type Action } from '@leadflow/access';
import type { AccessRule } from './authorize';

/** What a route requires: an access rule, or nothing (health, metrics, docs). */
export type RouteAccess = AccessRule | 'public';

/** The Fastify route config of an ingest route (read by the request gate and the body-limit hook). */
export interface IngestRouteConfig {
  readonly access: Action | 'public';
  /** The offer's signed URL may stand in for a token. */
  readonly signature?: boolean;
  /** Body limit of the route when it differs from the instance's (batch). */
  readonly bodyLimit?: number;
}

/**
 * Declares what a handler requires, as Fastify route config: the request gate checks it in Fastify's
 * `onRequest` hook, before the body is read. Every route must declare one; the gate refuses to start
 * the application otherwise (fail closed: no route is public by omission).
 */
export function RequireAccess(
  access: Action | 'public',
  options: { readonly bodyLimit?: number; readonly signature?: boolean } = {},
): MethodDecorator {
  const config: IngestRouteConfig = { access, ...options };
  return RouteConfig(config);
}

/** The access rule in a route's config, if it declares a valid one. */
export function routeAccess(config: unknown): RouteAccess | undefined {
  const record = typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : {};
  const access = record['access'];
  if (access === 'public') return 'public';
  const action = ACTIONS.find((a) => a === access);
  if (action === undefined) return undefined;
  return record['signature'] === true ? { action, signature: true } : { action };
}
