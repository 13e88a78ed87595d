import { Module, type DynamicModule } from '@nestjs/common';
import { API, ConsoleController, type ApiDeps } from './api/console.controller';
import { OPS, OpsController, type OpsSettings } from './http/ops.controller';

/** The Nest shell: controllers over what the composition root built (and owns). */
@Module({})
export class ConsoleModule {
  static register(deps: { api: ApiDeps; ops: OpsSettings }): DynamicModule {
    return {
      module: ConsoleModule,
      controllers: [ConsoleController, OpsController],
      providers: [
        { provide: API, useValue: deps.api },
        { provide: OPS, useValue: deps.ops },
      ],
    };
  }
}
