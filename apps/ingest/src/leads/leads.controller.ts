import { Body, Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RequireAccess } from '../auth/route-access';
import { BATCH_BODY_LIMIT } from '../common/json-body';
import { headerValue, requestTraceparent, requireJsonBody } from '../common/request-context';
import { LeadService, type LeadEndpoint, type Submission } from './lead.service';

export const LEADS = Symbol('LEADS');

function submission(req: FastifyRequest, endpoint: LeadEndpoint, pathOfferId?: string): Submission {
  const idempotencyKey = headerValue(req, 'idempotency-key');
  const traceparent = requestTraceparent(req);
  return {
    endpoint,
    ...(pathOfferId !== undefined ? { pathOfferId } : {}),
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    ...(traceparent !== undefined ? { traceparent } : {}),
  };
}

@Controller('v1')
export class LeadsController {
  constructor(@Inject(LEADS) private readonly leads: LeadService) {}

  @Post('leads')
  @HttpCode(202)
  @RequireAccess('lead.send')
  submit(@Body() body: unknown, @Req() req: FastifyRequest) {
    return this.leads.submit(requireJsonBody(body), submission(req, 'leads'));
  }

  @Post('leads/batch')
  @HttpCode(200)
  @RequireAccess('lead.send', { bodyLimit: BATCH_BODY_LIMIT })
  submitBatch(@Body() body: unknown, @Req() req: FastifyRequest) {
    return this.leads.submitBatch(requireJsonBody(body), submission(req, 'batch'));
  }

  /** The offer comes from the path; a valid `?sig=` for the offer stands in for a token. */
  @Post('offers/:offerId/leads')
  @HttpCode(202)
  @RequireAccess('lead.send', { signature: true })
  submitForOffer(@Param('offerId') offerId: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    return this.leads.submit(requireJsonBody(body), submission(req, 'offer', offerId));
  }
}
