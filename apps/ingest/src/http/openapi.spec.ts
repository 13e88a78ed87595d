import { OFFER_ID_PATTERN } from '@leadflow/lead-model';
import { IDEMPOTENCY_KEY } from '../leads/lead-intake';
import { buildOpenApiDocument, portablePattern } from './openapi';

function patterns(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => patterns(n, out));
  else if (typeof node === 'object' && node !== null)
    for (const [k, v] of Object.entries(node)) {
      if (k === 'pattern' && typeof v === 'string') out.push(v);
      else patterns(v, out);
    }
  return out;
}

describe('the OpenAPI document', () => {
  const doc = buildOpenApiDocument('https://ingest.example') as {
    paths: Record<string, Record<string, { parameters?: { name: string; schema: Record<string, unknown> }[] }>>;
    components: { schemas: Record<string, unknown> };
  };
  const params = (path: string, method: string) => doc.paths[path]?.[method]?.parameters ?? [];

  it("declares the handlers' own constraints on the offer id and the Idempotency-Key", () => {
    const offerId = params('/v1/offers/{offerId}/leads', 'post').find((p) => p.name === 'offerId');
    expect(offerId?.schema).toEqual({
      type: 'string',
      maxLength: 256,
      pattern: portablePattern(OFFER_ID_PATTERN.source),
    });
    const key = params('/v1/leads', 'post').find((p) => p.name === 'Idempotency-Key');
    expect(key?.schema).toMatchObject({
      minLength: 1,
      maxLength: 255,
      pattern: portablePattern(IDEMPOTENCY_KEY.source),
    });
  });

  it('writes patterns that mean the same in JavaScript and in Python (no \\d, no final $)', () => {
    expect(portablePattern('^\\d{3}-[A-Za-z]{3}-\\d{3}$')).toBe('^[0-9]{3}-[A-Za-z]{3}-[0-9]{3}(?![\\s\\S])');
    // An escaped backslash before d is a backslash and a d; an escaped dollar is a dollar.
    expect(portablePattern('^a\\\\d\\$')).toBe('^a\\\\d\\$');
    const all = patterns(doc);
    expect(all.length).toBeGreaterThan(10);
    for (const p of all) {
      expect(() => new RegExp(p)).not.toThrow();
      expect(p).not.toMatch(/(?<!\\)(?:\\\\)*\\d/);
      expect(p).not.toMatch(/(?<!\\)\$$/);
    }
    const email = new RegExp(patterns(doc.components.schemas['CanonicalLeadInput']).find((p) => p.includes('@')) ?? '');
    expect(email.test(' ann@contoso.com\n')).toBe(true);
    expect(email.test('ann@contoso.com\nx')).toBe(false);
    expect(email.test('')).toBe(false);
  });

  it('describes the per-item problems of a batch inside its 200 answer', () => {
    const batch = JSON.stringify(doc.paths['/v1/leads/batch']);
    expect(batch).toContain('BatchResult');
    expect(JSON.stringify(doc.components.schemas['BatchResult'])).toContain('#/components/schemas/Problem');
    expect(JSON.stringify(doc.components.schemas['BatchRequest'])).toContain('refused in place');
  });
});
