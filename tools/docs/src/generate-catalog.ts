import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ERROR_CATALOG } from '@leadflow/lead-model';
import { CATALOG_DOC_PATH, firstDifference, REGENERATE_COMMAND, renderErrorCatalog } from './catalog-doc';

/**
 * Writes docs/error-catalog.md from lead-model's ERROR_CATALOG:
 *   node -r @swc-node/register tools/docs/src/generate-catalog.ts          rewrite the file
 *   node -r @swc-node/register tools/docs/src/generate-catalog.ts --check  exit 1 if it is out of date
 */
function main(argv: readonly string[]): number {
  const expected = renderErrorCatalog(ERROR_CATALOG);
  const shown = relative(process.cwd(), CATALOG_DOC_PATH);
  if (argv.includes('--check')) {
    let actual = '';
    try {
      actual = readFileSync(CATALOG_DOC_PATH, 'utf8');
    } catch {
      // A missing file is out of date like any other.
    }
    const diff = firstDifference(actual, expected);
    if (!diff) {
      process.stdout.write(`${shown} is up to date\n`);
      return 0;
    }
    process.stderr.write(`${shown} differs from the catalog at line ${diff.line}; run \`${REGENERATE_COMMAND}\`\n`);
    return 1;
  }
  writeFileSync(CATALOG_DOC_PATH, expected);
  process.stdout.write(`wrote ${shown} (${Object.keys(ERROR_CATALOG).length} classes)\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
