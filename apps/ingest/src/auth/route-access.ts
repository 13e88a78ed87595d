import { RouteConfig } from '@nestjs/platform-fastify';
import type { Access } from './authorize';

/** What a route requires: one of the credential rules, or nothing (health, metrics, docs). */
export type RouteAccess = Access | 'public';

const ROUTE_ACCESS: readonly RouteAccess[] = ['producer', 'admin', 'producer-or-signature', 'public'];

/** The Fastify route config of an ingest route (read by the request gate and the body-limit hook). */
export interface IngestRouteConfig {
  readonly access: RouteAccess;
  /** Body limit of the route when it differs from the instance's (batch). */
  readonly bodyLimit?: number;
}

/**
 * Declares what a handler requires, as Fastify route config: the request gate checks it in Fastify's
 * `onRequest` hook, before the body is read. Every route must declare one; the gate refuses to start
 * the application otherwise (fail closed: no route is public by omission).
 */
export function RequireAccess(access: RouteAccess, options: { readonly bodyLimit?: number } = {}): MethodDecorator {
  const config: IngestRouteConfig = { access, ...options };
  return RouteConfig(config);
}

/** The access rule in a route's config, if it declares a valid one. */
export function routeAccess(config: unknown): RouteAccess | undefined {
  const access =
    typeof config === 'object' && config !== null ? (config as Record<string, unknown>)['access'] : undefined;
  return ROUTE_ACCESS.find((a) => a === access);
}
