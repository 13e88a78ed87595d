import { exceedsJsonDepth } from './json-body';
import { brokerUnavailable, problemFromError, ProblemException, ProblemType, validationProblem } from './problem';

describe('problemFromError', () => {
  it('passes our own problems through with their headers and the instance', () => {
    const { problem, headers } = problemFromError(brokerUnavailable(), '/v1/leads');
    expect(problem).toMatchObject({ type: ProblemType.brokerUnavailable, status: 503, instance: '/v1/leads' });
    expect(headers).toEqual({ 'retry-after': '5' });
  });

  it('maps Fastify body errors by their codes to 413, 415 and 400', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    const media = Object.assign(new Error('Unsupported Media Type: text/plain'), {
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      statusCode: 415,
    });
    const badJson = Object.assign(new Error('Body is not valid JSON but content-type is set to application/json'), {
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      statusCode: 400,
    });
    expect(problemFromError(tooLarge).problem).toMatchObject({
      status: 413,
      type: ProblemType.tooLarge,
      title: 'Content Too Large',
    });
    expect(problemFromError(media).problem).toMatchObject({ status: 415, type: ProblemType.unsupportedMediaType });
    expect(problemFromError(badJson).problem).toMatchObject({ status: 400, type: ProblemType.invalidJson });
  });

  it('never echoes a JSON syntax error, which can quote the body', () => {
    let err: unknown;
    try {
      JSON.parse('{"email": jane@contoso.com}');
    } catch (e) {
      err = e;
    }
    const { problem } = problemFromError(err);
    expect(problem.status).toBe(400);
    expect(JSON.stringify(problem)).not.toContain('jane');
  });

  it('keeps client status codes of framework exceptions but not their messages', () => {
    const nestLike = { getStatus: () => 404, message: 'Cannot POST /nope' };
    expect(problemFromError(nestLike).problem).toEqual({ type: ProblemType.notFound, title: 'Not Found', status: 404 });
  });

  it('turns anything else into a 500 without message or stack', () => {
    const { problem } = problemFromError(new TypeError('secret internals at /srv/app.js:1'));
    expect(problem).toEqual({
      type: ProblemType.internal,
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred.',
    });
    expect(problemFromError({ statusCode: 502 }).problem.status).toBe(500);
    expect(problemFromError('string thrown').problem.status).toBe(500);
  });

  it('names every failing field of a validation problem', () => {
    const p = validationProblem([
      { path: 'customer.email', message: 'Invalid email' },
      { path: 'offerId', message: 'Required' },
    ]);
    expect(p).toMatchObject({
      status: 400,
      type: ProblemType.validation,
      detail: 'Invalid fields: customer.email, offerId.',
    });
    expect(new ProblemException(p).message).toBe(p.detail);
  });
});

describe('exceedsJsonDepth', () => {
  it('counts nesting outside strings only', () => {
    expect(exceedsJsonDepth('{"a":{"b":[1]}}', 3)).toBe(false);
    expect(exceedsJsonDepth('{"a":{"b":[[1]]}}', 3)).toBe(true);
    expect(exceedsJsonDepth('{"a":"[[[[[[\\"[[[["}', 1)).toBe(false);
    expect(exceedsJsonDepth('['.repeat(100_000), 32)).toBe(true);
  });

  it('gives the verdicts of a character-by-character scan, escapes and unterminated strings included', () => {
    // The scan it replaced (it now jumps over strings): the reference.
    const reference = (text: string, limit: number): boolean => {
      let depth = 0;
      let inString = false;
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
          if (c === '\\') i++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '{' || c === '[') {
          if (++depth > limit) return true;
        } else if (c === '}' || c === ']') depth--;
      }
      return false;
    };
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const alphabet = ['{', '[', '}', ']', '"', '\\', '\\', 'a', ':', ','];
    let deep = 0;
    for (let n = 0; n < 20_000; n++) {
      const text = Array.from(
        { length: Math.floor(rnd() * 40) },
        () => alphabet[Math.floor(rnd() * alphabet.length)],
      ).join('');
      const limit = Math.floor(rnd() * 4);
      const expected = reference(text, limit);
      if (expected) deep++;
      expect([text, exceedsJsonDepth(text, limit)]).toEqual([text, expected]);
    }
    // Both verdicts are well represented.
    expect(deep).toBeGreaterThan(2_000);
    expect(deep).toBeLessThan(18_000);
  });
});
