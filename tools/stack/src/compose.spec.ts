import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SINK_SERVICES } from '@leadflow/sink-runtime';
import { renderCompose } from './compose';

describe('docker-compose.yml', () => {
  it('is what the sink catalog renders (regenerate: node -r @swc-node/register tools/stack/src/compose-cli.ts)', () => {
    expect(readFileSync(join(__dirname, '..', '..', '..', 'docker-compose.yml'), 'utf8')).toBe(renderCompose());
  });

  it('runs every sink of the catalog, from the built program, after the topics exist', () => {
    const services = (
      parse(renderCompose()) as { services: Record<string, { command?: string[]; depends_on?: object }> }
    ).services;
    for (const s of SINK_SERVICES) {
      expect(services[s.name]?.command).toEqual(['node', `dist/apps/${s.name}/main.js`]);
      expect(services[s.name]?.depends_on).toMatchObject({ topics: { condition: 'service_completed_successfully' } });
    }
    expect(services['ingest']?.command).toEqual(['node', 'dist/apps/ingest/main.js']);
  });
});
