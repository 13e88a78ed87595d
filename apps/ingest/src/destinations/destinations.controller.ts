import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { principalId } from '../auth/authorize';
import type { AuthenticatedRequest } from '../auth/request-gate';
import { RequireAccess } from '../auth/route-access';
import { requestTraceparent, requireJsonBody } from '../common/request-context';
import { DestinationService } from './destination.service';

export const DESTINATIONS = Symbol('DESTINATIONS');

/** Who the gate admitted (the audit trail's actor); the gate runs before every handler of this controller. */
function actorOf(req: FastifyRequest): string {
  const principal = (req as AuthenticatedRequest).principal;
  if (!principal) throw new Error('offer configuration reached without a principal: the request gate did not run');
  return principalId(principal);
}

/** Offer configuration: publishers on their own offers, operators on all (libs/access decides, the gate enforces). */
@Controller('v1/offers/:offerId')
export class DestinationsController {
  constructor(@Inject(DESTINATIONS) private readonly destinations: DestinationService) {}

  @Put('destination')
  @RequireAccess('offer.configure')
  @HttpCode(200)
  put(@Param('offerId') offerId: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    return this.destinations.put(offerId, requireJsonBody(body), actorOf(req), requestTraceparent(req));
  }

  @Get('destination')
  @RequireAccess('offer.read')
  get(@Param('offerId') offerId: string) {
    return this.destinations.get(offerId);
  }

  @Delete('destination')
  @RequireAccess('offer.configure')
  @HttpCode(204)
  async remove(@Param('offerId') offerId: string, @Req() req: FastifyRequest): Promise<void> {
    await this.destinations.remove(offerId, actorOf(req));
  }

  @Get('status')
  @RequireAccess('offer.status')
  status(@Param('offerId') offerId: string) {
    return this.destinations.status(offerId);
  }
}
