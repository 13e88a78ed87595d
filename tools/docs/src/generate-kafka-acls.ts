import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import {
  deploymentPrincipals,
  OPERATIONS_DOC_PATH,
  REGENERATE_ACLS_COMMAND,
  renderKafkaAcls,
  spliceAcls,
} from './kafka-acls-doc';

/**
 * Rewrites the generated `kafka-acls.sh` block of docs/operations.md from libs/kafka's ACL definition:
 *   node -r @swc-node/register tools/docs/src/generate-kafka-acls.ts          rewrite the block
 *   node -r @swc-node/register tools/docs/src/generate-kafka-acls.ts --check  exit 1 if it is out of date
 */
function main(argv: readonly string[]): number {
  const doc = readFileSync(OPERATIONS_DOC_PATH, 'utf8');
  const expected = spliceAcls(doc, renderKafkaAcls(deploymentPrincipals()));
  const shown = relative(process.cwd(), OPERATIONS_DOC_PATH);
  if (argv.includes('--check')) {
    if (doc === expected) {
      process.stdout.write(`${shown}: the Kafka ACLs are up to date\n`);
      return 0;
    }
    process.stderr.write(`${shown}: the Kafka ACLs differ from the definition; run \`${REGENERATE_ACLS_COMMAND}\`\n`);
    return 1;
  }
  writeFileSync(OPERATIONS_DOC_PATH, expected);
  process.stdout.write(`wrote the Kafka ACLs into ${shown}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
