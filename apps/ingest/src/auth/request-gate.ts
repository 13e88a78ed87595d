import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  identityUnavailable,
  offerNotFound,
  ProblemException,
  ProblemType,
  statusTitle,
  tooManyRequests,
} from '../common/problem';
import type { Authenticator } from './authenticate';
import { authorize, principalId, type AuthDecision, type Principal, type RefusalCode } from './authorize';
import { routeAccess } from './route-access';

/** Requests per credential and window; `max: 0` is not a setting here (no limiter at all is `undefined`). */
export interface RateLimitSettings {
  readonly max: number;
  readonly windowMs: number;
}

export interface GateSettings {
  readonly authenticator: Authenticator;
  readonly urlSigningKey: string;
  /** Called with the status of every refused request (a metric; never the credential). */
  readonly onRefusal?: (status: number, code: RefusalCode) => void;
  /** Per-credential limit; undefined turns rate limiting off. */
  readonly rateLimit?: RateLimitSettings;
}

/** The principal a request was admitted as (absent on public routes). */
export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** The rate-limit bucket of a principal: each caller (token or JWT subject) has its own, each signed offer URL its own. */
export function rateLimitKey(principal: Principal): string {
  return principalId(principal);
}

/**
 * The problem of a refused request. Another publisher's offer answers exactly what an offer without a destination
 * answers, so a caller learns nothing about offers that are not its own.
 */
export function refusal(decision: Extract<AuthDecision, { ok: false }>, offerId?: string): ProblemException {
  if (decision.status === 404) return offerNotFound(offerId ?? '');
  if (decision.status === 503) return identityUnavailable(decision.reason);
  return new ProblemException(
    {
      type: decision.status === 401 ? ProblemType.unauthorized : ProblemType.forbidden,
      title: statusTitle(decision.status),
      status: decision.status,
      detail: decision.reason,
    },
    decision.challenge ? { 'www-authenticate': decision.challenge } : {},
  );
}

/**
 * True while the request still has a body on the wire. A refusal answered before the body was read
 * closes the connection: otherwise Node would read (and discard) the whole body to reuse it.
 */
export function bodyPending(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  const hasBody = request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  return hasBody && !request.raw.complete;
}

/** The same problem, plus `Connection: close` when the request's body was not read. */
export function beforeBody(request: FastifyRequest, problem: ProblemException): ProblemException {
  return bodyPending(request)
    ? new ProblemException(problem.problem, { ...problem.headers, connection: 'close' })
    : problem;
}

function stringParam(source: unknown, name: string): string | undefined {
  const value = typeof source === 'object' && source !== null ? (source as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Authentication and per-credential rate limiting in Fastify's `onRequest` hook, which runs before
 * the body is read (https://fastify.dev/docs/latest/Reference/Lifecycle/): an unauthenticated or
 * limited client costs a header check, not a 64 KiB (5 MiB on batch) parse. Every route must declare
 * its access rule (`RequireAccess`); a route without one stops the application from starting.
 * Must run before routes register.
 */
export async function installRequestGate(fastify: FastifyInstance, settings: GateSettings): Promise<void> {
  fastify.decorateRequest('principal', undefined);
  fastify.addHook('onRoute', (route) => {
    if (routeAccess(route.config) === undefined) {
      throw new Error(`route ${route.method} ${route.url} declares no access rule (RequireAccess)`);
    }
  });

  let limit: ReturnType<FastifyInstance['createRateLimit']> | undefined;
  if (settings.rateLimit) {
    // global: false: the limiter runs where the gate calls it, after authentication, keyed by the principal.
    await fastify.register(rateLimit, { global: false });
    limit = fastify.createRateLimit({
      max: settings.rateLimit.max,
      timeWindow: settings.rateLimit.windowMs,
      keyGenerator: (req) => {
        const principal = (req as AuthenticatedRequest).principal;
        return principal === undefined ? 'anonymous' : rateLimitKey(principal);
      },
    });
  }

  fastify.addHook('onRequest', async (req) => {
    if (req.is404) return;
    const access = routeAccess(req.routeOptions.config);
    if (access === 'public') return;
    const request = req as AuthenticatedRequest;
    const authorization = request.headers.authorization;
    const sig = stringParam(request.query, 'sig');
    const offerId = stringParam(request.params, 'offerId');
    const decision = await authorize(
      // A route without a rule never registers (onRoute above); operator-only is the fail-closed fallback anyway.
      access ?? { action: 'audit.read' },
      {
        ...(authorization !== undefined ? { authorization } : {}),
        ...(sig !== undefined ? { sig } : {}),
        ...(offerId !== undefined ? { offerId } : {}),
      },
      (token) => settings.authenticator.authenticate(token),
      settings.urlSigningKey,
    );
    if (!decision.ok) {
      settings.onRefusal?.(decision.status, decision.code);
      throw beforeBody(request, refusal(decision, offerId));
    }
    request.principal = decision.principal;
    if (limit) {
      const verdict = await limit(request);
      if (!verdict.isAllowed && verdict.isExceeded) throw beforeBody(request, tooManyRequests(verdict.ttlInSeconds));
    }
  });
}
