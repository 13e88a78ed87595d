import type { FastifyRequest } from 'fastify';
import { currentTraceparent } from '@leadflow/observability';
import { ProblemException, ProblemType } from './problem';

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** A caller's `traceparent` header, if well-formed (an all-zero trace id is invalid per W3C). */
export function validTraceparent(value: unknown): string | undefined {
  return typeof value === 'string' && TRACEPARENT.test(value) && !/^[0-9a-f]{2}-0{32}-/.test(value) ? value : undefined;
}

/**
 * The trace a lead continues: the active span's when tracing runs (the HTTP instrumentation already
 * continued the caller's), else the caller's own well-formed `traceparent`.
 */
export function requestTraceparent(req: FastifyRequest): string | undefined {
  return currentTraceparent() ?? validTraceparent(req.headers.traceparent);
}

/** A request without a body (and so without a JSON content type) is a 415, like any non-JSON body. */
export function requireJsonBody(body: unknown): unknown {
  if (body === undefined) {
    throw new ProblemException({
      type: ProblemType.unsupportedMediaType,
      title: 'Unsupported Media Type',
      status: 415,
      detail: 'Send the body as application/json.',
    });
  }
  return body;
}

/** A single header value (the first, if repeated). */
export function headerValue(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
