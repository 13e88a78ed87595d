import { Module, type DynamicModule } from '@nestjs/common';
import { DESTINATIONS, DestinationsController } from './destinations/destinations.controller';
import type { DestinationService } from './destinations/destination.service';
import { OPS, OpsController, type OpsSettings } from './http/ops.controller';
import { LEADS, LeadsController } from './leads/leads.controller';
import type { LeadService } from './leads/lead.service';

export interface IngestModuleDeps {
  readonly leads: LeadService;
  readonly destinations: DestinationService;
  readonly ops: OpsSettings;
}

/**
 * The Nest shell: controllers over services that the composition root built (and owns: their
 * lifecycle is not Nest's, so shutdown can close HTTP first and the producer last).
 */
@Module({})
export class IngestModule {
  static register(deps: IngestModuleDeps): DynamicModule {
    return {
      module: IngestModule,
      controllers: [LeadsController, DestinationsController, OpsController],
      providers: [
        { provide: LEADS, useValue: deps.leads },
        { provide: DESTINATIONS, useValue: deps.destinations },
        { provide: OPS, useValue: deps.ops },
      ],
    };
  }
}
