import type { LoggerService } from '@nestjs/common';
import type { Logger } from '@leadflow/observability';

function text(message: unknown): string {
  return typeof message === 'string' ? message : message instanceof Error ? message.message : JSON.stringify(message);
}

/** Nest's own messages (module init, route mapping) through the service's structured logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    // Route mapping and module init lines are start-up chatter.
    this.logger.debug({ context }, text(message));
  }

  error(message: unknown, stackOrContext?: string, context?: string): void {
    this.logger.error({ context: context ?? stackOrContext }, text(message));
  }

  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, text(message));
  }

  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, text(message));
  }

  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, text(message));
  }

  fatal(message: unknown, context?: string): void {
    this.logger.fatal({ context }, text(message));
  }
}
