import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { buildAsyncApiDocument } from '@leadflow/lead-model';
import { SINK_SERVICES } from '@leadflow/sink-runtime';

export const ASYNCAPI_DOC_PATH = resolve(__dirname, '..', '..', '..', 'docs', 'asyncapi.yaml');

/** The command that rewrites the document from libs/lead-model (named in the drift check's failure). */
export const ASYNCAPI_REGENERATE_COMMAND = 'node -r @swc-node/register tools/docs/src/generate-asyncapi.ts';

const HEADER = [
  '# The Kafka contract of leadflow, AsyncAPI 3.1. GENERATED from libs/lead-model: do not edit by hand;',
  `# regenerate with \`${ASYNCAPI_REGENERATE_COMMAND}\` (a unit test fails when this file is out of date).`,
  '',
].join('\n');

/** docs/asyncapi.yaml as the generator writes it (deterministic: same model, same text). */
export function renderAsyncApi(): string {
  return (
    HEADER + stringify(buildAsyncApiDocument({ sinks: SINK_SERVICES }), { lineWidth: 0, aliasDuplicateObjects: false })
  );
}
