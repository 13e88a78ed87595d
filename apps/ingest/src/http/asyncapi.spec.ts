import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { buildAsyncApiForIngest } from './asyncapi';

describe('the AsyncAPI document ingest serves', () => {
  it('is docs/asyncapi.yaml (the checked-in document and the served one are one)', () => {
    const file = parse(readFileSync(resolve(__dirname, '..', '..', '..', '..', 'docs', 'asyncapi.yaml'), 'utf8'));
    expect(JSON.parse(JSON.stringify(buildAsyncApiForIngest()))).toEqual(file);
  });
});
