import { Writable } from 'node:stream';
import { createLogger } from './index';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('censors PII and secret fields at any of the first three levels', () => {
    const { stream, lines } = capture();
    const log = createLogger({ service: 'test', destination: stream });
    log.info(
      {
        offerId: 'contoso.crm',
        email: 'a@b.com',
        lead: { customer: { firstName: 'Ann' }, offerId: 'contoso.crm' },
        destination: { auth: { clientSecret: 's3cr3t' }, connectionString: 'AccountKey=abc' },
      },
      'hello',
    );
    const [line] = lines();
    const text = JSON.stringify(line);
    expect(text).not.toContain('a@b.com');
    expect(text).not.toContain('Ann');
    expect(text).not.toContain('s3cr3t');
    expect(text).not.toContain('AccountKey=abc');
    expect(line).toMatchObject({ service: 'test', level: 'info', msg: 'hello', offerId: 'contoso.crm' });
  });
});
