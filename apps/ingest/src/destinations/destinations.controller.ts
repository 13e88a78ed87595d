import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RequireAccess } from '../auth/route-access';
import { requestTraceparent, requireJsonBody } from '../common/request-context';
import { DestinationService } from './destination.service';

export const DESTINATIONS = Symbol('DESTINATIONS');

/** Offer configuration: admin tokens only. */
@Controller('v1/offers/:offerId')
export class DestinationsController {
  constructor(@Inject(DESTINATIONS) private readonly destinations: DestinationService) {}

  @Put('destination')
  @RequireAccess('admin')
  @HttpCode(200)
  put(@Param('offerId') offerId: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    return this.destinations.put(offerId, requireJsonBody(body), requestTraceparent(req));
  }

  @Get('destination')
  @RequireAccess('admin')
  get(@Param('offerId') offerId: string) {
    return this.destinations.get(offerId);
  }

  @Delete('destination')
  @RequireAccess('admin')
  @HttpCode(204)
  async remove(@Param('offerId') offerId: string): Promise<void> {
    await this.destinations.remove(offerId);
  }

  @Get('status')
  @RequireAccess('admin')
  status(@Param('offerId') offerId: string) {
    return this.destinations.status(offerId);
  }
}
