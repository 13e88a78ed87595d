import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import type { HealthState } from '@leadflow/observability';
import { RequireAccess } from '../auth/route-access';

export const OPS = Symbol('OPS');

export interface OpsSettings {
  readonly health: HealthState;
  readonly registry: Registry;
  /** Extra readiness condition (broker reachable, offer table caught up); evaluated per probe. */
  readonly ready: () => Promise<{ ready: boolean; reason: string }>;
  readonly openApi: object;
  /** The Kafka contract, AsyncAPI 3.1 (docs/asyncapi.yaml as JSON). */
  readonly asyncApi: object;
}

/** Liveness, readiness, Prometheus metrics, the OpenAPI and AsyncAPI documents. No authentication. */
@Controller()
export class OpsController {
  constructor(@Inject(OPS) private readonly ops: OpsSettings) {}

  @Get('healthz')
  @RequireAccess('public')
  healthz(@Res() reply: FastifyReply): void {
    const { live, reason } = this.ops.health.snapshot();
    void reply.status(live ? 200 : 503).send({ status: live ? 'ok' : 'unavailable', reason });
  }

  @Get('readyz')
  @RequireAccess('public')
  async readyz(@Res() reply: FastifyReply): Promise<void> {
    const state = this.ops.health.snapshot();
    const check = state.ready ? await this.ops.ready() : { ready: false, reason: state.reason };
    void reply
      .status(check.ready ? 200 : 503)
      .send({ status: check.ready ? 'ok' : 'unavailable', reason: check.reason });
  }

  @Get('metrics')
  @RequireAccess('public')
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    const text = await this.ops.registry.metrics();
    void reply.status(200).header('content-type', this.ops.registry.contentType).send(text);
  }

  @Get('docs')
  @RequireAccess('public')
  @HttpCode(200)
  @Header('cache-control', 'no-cache')
  docs(): object {
    return this.ops.openApi;
  }

  @Get('asyncapi')
  @RequireAccess('public')
  @HttpCode(200)
  @Header('cache-control', 'no-cache')
  asyncapi(): object {
    return this.ops.asyncApi;
  }
}
