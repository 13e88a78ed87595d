import { readFileSync } from 'node:fs';
import { kafkaAclsCommands } from '@leadflow/kafka';
import { firstDifference } from './catalog-doc';
import {
  ACLS_BEGIN,
  ACLS_END,
  deploymentPrincipals,
  OPERATIONS_DOC_PATH,
  REGENERATE_ACLS_COMMAND,
  renderKafkaAcls,
  spliceAcls,
} from './kafka-acls-doc';

describe('docs/operations.md: the Kafka ACLs', () => {
  it('shows exactly the ACLs the launcher applies (regenerate after changing libs/kafka/src/principals.ts)', () => {
    const doc = readFileSync(OPERATIONS_DOC_PATH, 'utf8');
    const diff = firstDifference(doc, spliceAcls(doc, renderKafkaAcls(deploymentPrincipals())));
    if (diff)
      throw new Error(
        `docs/operations.md's kafka-acls block is out of date at line ${diff.line}: run \`${REGENERATE_ACLS_COMMAND}\`\n` +
          `  in the file: ${diff.actual ?? '(end of file)'}\n  rendered:    ${diff.expected ?? '(end of file)'}`,
      );
  });

  it('renders every grant of every principal once, between the markers', () => {
    const principals = deploymentPrincipals();
    const block = renderKafkaAcls(principals);
    expect(block.startsWith(ACLS_BEGIN) && block.endsWith(ACLS_END)).toBe(true);
    for (const command of kafkaAclsCommands(principals))
      expect(block.split('\n').filter((l) => l === command)).toHaveLength(1);
    expect(() => spliceAcls('no markers here', block)).toThrow(/markers/);
  });
});
