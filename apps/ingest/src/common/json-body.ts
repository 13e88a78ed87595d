import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemException, problemFromError, ProblemType } from './problem';

/** Body limits of the contract: 64 KiB for a lead or a destination, 5 MiB for a batch. */
export const SINGLE_BODY_LIMIT = 64 * 1024;
export const BATCH_BODY_LIMIT = 5 * 1024 * 1024;

/** Deeper than any lead or destination needs; far below anything that could exhaust a stack. */
export const MAX_JSON_DEPTH = 32;

/**
 * True when the JSON text nests objects/arrays deeper than `limit`. A linear scan of the text, before
 * parsing: V8 parses deep nesting fine, but any recursive walk of the result (validation, logging,
 * serialisation) would then overflow the stack, and rejecting early saves parsing megabytes of brackets.
 */
export function exceedsJsonDepth(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Strings are most of a body's text: jump to the closing quote (indexOf is far faster than a loop over
      // characters), the first one after an even run of backslashes. Unterminated, the parser refuses it.
      i = stringEnd(text, i);
      if (i === -1) return false;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return false;
}

/** Index of the quote that closes the string opened at `open`, or -1. */
function stringEnd(text: string, open: number): number {
  let quote = open;
  for (;;) {
    quote = text.indexOf('"', quote + 1);
    if (quote === -1) return -1;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c /* \ */) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
}

type Done = (err: Error | null, body?: unknown) => void;

/** Fastify's content-type parser errors (FST_ERR_CTP_*): body limit, media type, empty or malformed JSON. */
function isBodyParsingError(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('FST_ERR_CTP_');
}

/**
 * Body handling of the ingest's Fastify instance: JSON only (text/plain and everything else → 415),
 * parsed with Fastify's prototype-poisoning-safe parser (poisoning keys removed) after a depth check, and a per-route body
 * limit read from the route's config (`@RouteConfig({ bodyLimit })`). Must run before routes register.
 */
export function configureJsonBodies(fastify: FastifyInstance, maxDepth = MAX_JSON_DEPTH): void {
  fastify.removeContentTypeParser('text/plain');
  // `__proto__` and `constructor.prototype` keys are removed rather than refused: they are unknown
  // properties like any other (ignored), and removing them is what protects against prototype poisoning.
  const parse = fastify.getDefaultJsonParser('remove', 'remove');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    (req: FastifyRequest, body: string | Buffer, done: Done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (exceedsJsonDepth(text, maxDepth)) {
        done(
          new ProblemException({
            type: ProblemType.invalidJson,
            title: 'Bad Request',
            status: 400,
            detail: `The JSON body nests deeper than ${maxDepth} levels.`,
          }),
        );
        return;
      }
      parse(req, text, done);
    },
  );
  fastify.addHook('onRoute', (route) => {
    const limit = (route.config as { bodyLimit?: unknown } | undefined)?.bodyLimit;
    if (typeof limit === 'number') route.bodyLimit = limit;
    // Nest turns a Fastify error into a bare HttpException (status and message, no code), which would answer a
    // body too large, a media type or malformed JSON as `about:blank`. The route's own handler names the problem
    // first, then hands it on to Nest's (Fastify passes what an error handler sends to the parent handler).
    route.errorHandler ??= (err, _request, reply) => {
      void reply.send(isBodyParsingError(err) ? new ProblemException(problemFromError(err).problem) : err);
    };
  });
}
