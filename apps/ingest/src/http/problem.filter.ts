import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@leadflow/observability';
import { PROBLEM_CONTENT_TYPE, problemFromError } from '../common/problem';

/**
 * Every error becomes `application/problem+json`: Nest's (404 for unknown routes, guards), Fastify's
 * (body limit, media type, malformed JSON) and ours. Server errors are logged with their stack and
 * answered without it.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // The path without the query: a `sig` in the query is a credential.
    const instance = request.url.split('?')[0];
    const { problem, headers } = problemFromError(exception, instance);
    if (problem.status >= 500 && problem.status !== 503) {
      this.logger.error({ err: exception, route: request.routeOptions?.url, method: request.method }, 'request failed');
    }
    void reply
      .status(problem.status)
      .headers(headers)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(problem));
  }
}
