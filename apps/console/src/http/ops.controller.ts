import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import type { HealthState } from '@leadflow/observability';
import type { StaticFile } from '../web/static-files';
import { RequireAccess } from './gate';
import { notFound } from './problem';

export const OPS = Symbol('CONSOLE_OPS');

export interface OpsSettings {
  readonly health: HealthState;
  readonly registry: Registry;
  readonly ready: () => { ready: boolean; reason: string };
  readonly openApi: object;
  readonly files: ReadonlyMap<string, StaticFile>;
}

/**
 * Liveness, readiness, metrics, the OpenAPI document and the page itself (index.html and its bundle). No
 * authentication: the page asks for the token and sends it with every API call.
 */
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
  readyz(@Res() reply: FastifyReply): void {
    const state = this.ops.health.snapshot();
    const check = state.ready ? this.ops.ready() : { ready: false, reason: state.reason };
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

  @Get()
  @RequireAccess('public')
  page(@Res() reply: FastifyReply): void {
    this.file('index.html', reply);
  }

  @Get('app.js')
  @RequireAccess('public')
  script(@Res() reply: FastifyReply): void {
    this.file('app.js', reply);
  }

  @Get('styles.css')
  @RequireAccess('public')
  styles(@Res() reply: FastifyReply): void {
    this.file('styles.css', reply);
  }

  private file(name: string, reply: FastifyReply): void {
    const f = this.ops.files.get(name);
    if (!f) throw notFound(`${name} is not part of the console.`);
    void reply
      .status(200)
      .header('content-type', f.type)
      .header('etag', f.etag)
      .header('cache-control', 'no-cache')
      // The page loads only what it serves itself: no CDN, no inline script, no framing.
      .header(
        'content-security-policy',
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      )
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(f.body);
  }
}
