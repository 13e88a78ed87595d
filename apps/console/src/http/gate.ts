import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerToken, type AccessPolicy, type Action, type Principal } from '../access/access';
import { AllowedMethods } from '@leadflow/http-shell';
import { methodNotAllowed, notFound, ProblemException, ProblemType, statusTitle } from './problem';

/** What a route requires: a console principal, or nothing (the page itself, health, metrics, docs). */
export type RouteAccess = 'console' | 'public';

/** Declares a handler's access rule as Fastify route config; a route without one stops the app from starting. */
export function RequireAccess(access: RouteAccess): MethodDecorator {
  return RouteConfig({ access });
}

function routeAccess(config: unknown): RouteAccess | undefined {
  const a = typeof config === 'object' && config !== null ? (config as Record<string, unknown>)['access'] : undefined;
  return a === 'console' || a === 'public' ? a : undefined;
}

export type ConsoleRequest = FastifyRequest & { principal?: Principal };

const unauthorized = (detail: string) =>
  new ProblemException(
    { type: ProblemType.unauthorized, title: statusTitle(401), status: 401, detail },
    { 'www-authenticate': 'Bearer realm="leadflow-console"' },
  );

/** The principal of a request the gate admitted (a route declared 'console'). */
export function principalOf(req: FastifyRequest): Principal {
  const p = (req as ConsoleRequest).principal;
  if (!p) throw unauthorized('A console token is required.');
  return p;
}

/**
 * Refuses unless the policy lets the principal do it: every route asks here, so the role model lives in one place.
 * A role that never grants the action answers 403; another publisher's offer or lead answers 404 with the detail
 * the route gives for one that does not exist (`hidden`), so a caller learns nothing about others' offers.
 */
export function authorize(
  policy: AccessPolicy,
  req: FastifyRequest,
  action: Action,
  hidden: () => ProblemException = () => notFound('Not found.'),
): Principal {
  const principal = principalOf(req);
  const verdict = policy.may(principal, action);
  if (verdict === 'not-found') throw hidden();
  if (verdict === 'forbidden')
    throw new ProblemException(
      {
        type: ProblemType.forbidden,
        title: statusTitle(403),
        status: 403,
        detail: "This token's roles do not allow that.",
      },
      { 'www-authenticate': 'Bearer realm="leadflow-console", error="insufficient_scope"' },
    );
  return principal;
}

/**
 * Authentication in Fastify's `onRequest` hook (before the body is read), and 405 with `Allow` for a known path
 * asked with another method. Must run before routes register.
 */
export function installGate(fastify: FastifyInstance, policy: AccessPolicy): void {
  const methods = new AllowedMethods();
  fastify.decorateRequest('principal', undefined);
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) methods.add(method, route.url ?? route.path);
    if (route.method !== 'HEAD' && routeAccess(route.config) === undefined)
      throw new Error(`route ${String(route.method)} ${route.url} declares no access rule (RequireAccess)`);
  });
  fastify.addHook('onRequest', async (req) => {
    if (req.is404) {
      const allowed = methods.allowed(req.url.split('?')[0] ?? '');
      if (allowed.length > 0) throw methodNotAllowed(allowed);
      return;
    }
    if (routeAccess(req.routeOptions.config) !== 'console') return;
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) throw unauthorized('Send the console token as Authorization: Bearer <token>.');
    const result = await policy.authenticate(token);
    if (!result.ok && result.status === 503)
      throw new ProblemException(
        {
          type: ProblemType.notReady,
          title: statusTitle(503),
          status: 503,
          detail: "The identity provider's signing keys cannot be fetched; retry later.",
        },
        { 'retry-after': '5' },
      );
    if (!result.ok) throw unauthorized('The token is not a console token.');
    (req as ConsoleRequest).principal = result.principal;
  });
}
