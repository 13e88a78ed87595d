import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { firstDifference } from './catalog-doc';
import { ASYNCAPI_DOC_PATH, ASYNCAPI_REGENERATE_COMMAND, renderAsyncApi } from './asyncapi-doc';

/**
 * Writes docs/asyncapi.yaml from libs/lead-model's schemas, topic map and headers:
 *   node -r @swc-node/register tools/docs/src/generate-asyncapi.ts          rewrite the file
 *   node -r @swc-node/register tools/docs/src/generate-asyncapi.ts --check  exit 1 if it is out of date
 */
function main(argv: readonly string[]): number {
  const expected = renderAsyncApi();
  const shown = relative(process.cwd(), ASYNCAPI_DOC_PATH);
  if (argv.includes('--check')) {
    let actual = '';
    try {
      actual = readFileSync(ASYNCAPI_DOC_PATH, 'utf8');
    } catch {
      // A missing file is out of date like any other.
    }
    const diff = firstDifference(actual, expected);
    if (!diff) {
      process.stdout.write(`${shown} is up to date\n`);
      return 0;
    }
    process.stderr.write(
      `${shown} differs from libs/lead-model at line ${diff.line}; run \`${ASYNCAPI_REGENERATE_COMMAND}\`\n`,
    );
    return 1;
  }
  writeFileSync(ASYNCAPI_DOC_PATH, expected);
  process.stdout.write(`wrote ${shown}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
