import type { FastifyInstance } from 'fastify';
import { beforeBody, installRequestGate, type GateSettings } from '../auth/request-gate';
import { AllowedMethods } from '@leadflow/http-shell';
import { configureJsonBodies } from '../common/json-body';
import { methodNotAllowed } from '../common/problem';

/**
 * An undeclared method on a known path (TRACE, QUERY, PATCH on a POST route...) answers 405 with
 * `Allow`, before authentication and before the body is read; unknown paths stay 404.
 */
export function answerMethodNotAllowed(fastify: FastifyInstance): void {
  const methods = new AllowedMethods();
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) methods.add(method, route.url ?? route.path);
  });
  fastify.addHook('onRequest', async (request) => {
    if (!request.is404) return;
    const allowed = methods.allowed(request.url.split('?')[0] ?? '');
    if (allowed.length > 0) throw beforeBody(request, methodNotAllowed(allowed));
  });
}

/**
 * Everything the ingest's Fastify instance does around the handlers: 405s, authentication and rate
 * limits before the body is read, JSON bodies with per-route limits. Must run before routes register.
 */
export async function configureHttp(fastify: FastifyInstance, gate: GateSettings): Promise<void> {
  answerMethodNotAllowed(fastify);
  await installRequestGate(fastify, gate);
  configureJsonBodies(fastify);
}
