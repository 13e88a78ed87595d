import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ProblemException, ProblemType, statusTitle } from '../http/problem';
import { authorize, type Access, type Principal } from './authorize';
import type { TokenVerifier } from './token-verifier';

export const ACCESS_METADATA = 'leadflow:access';

/** Declares what a handler requires; a handler without it is public (health, metrics, docs). */
export const RequireAccess = (access: Access) => SetMetadata(ACCESS_METADATA, access);

export const AUTH = Symbol('AUTH');

export interface AuthSettings {
  readonly tokens: TokenVerifier;
  readonly urlSigningKey: string;
}

/** The principal a guarded request was admitted as. */
export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

function stringParam(source: unknown, name: string): string | undefined {
  const value = typeof source === 'object' && source !== null ? (source as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Thin shell over the pure `authorize` decision. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH) private readonly settings: AuthSettings,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (access === undefined) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const authorization = request.headers.authorization;
    const sig = stringParam(request.query, 'sig');
    const offerId = stringParam(request.params, 'offerId');
    const decision = authorize(
      access,
      {
        ...(authorization !== undefined ? { authorization } : {}),
        ...(sig !== undefined ? { sig } : {}),
        ...(offerId !== undefined ? { offerId } : {}),
      },
      this.settings.tokens,
      this.settings.urlSigningKey,
    );
    if (!decision.ok) {
      throw new ProblemException(
        {
          type: decision.status === 401 ? ProblemType.unauthorized : ProblemType.forbidden,
          title: statusTitle(decision.status),
          status: decision.status,
          detail: decision.reason,
        },
        decision.challenge ? { 'www-authenticate': decision.challenge } : {},
      );
    }
    request.principal = decision.principal;
    return true;
  }
}
