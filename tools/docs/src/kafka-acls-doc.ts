import { resolve } from 'node:path';
import { kafkaAclsCommands, leadflowPrincipals, type KafkaPrincipal } from '@leadflow/kafka';
import { SINK_SERVICES } from '@leadflow/sink-runtime';

/** The document holding the generated ACL commands (section "Kafka security"). */
export const OPERATIONS_DOC_PATH = resolve(__dirname, '..', '..', '..', 'docs', 'operations.md');

export const REGENERATE_ACLS_COMMAND = 'node -r @swc-node/register tools/docs/src/generate-kafka-acls.ts';

export const ACLS_BEGIN = `<!-- kafka-acls: generated from leadflowPrincipals (libs/kafka/src/principals.ts) by \`${REGENERATE_ACLS_COMMAND}\`; do not edit by hand -->`;
export const ACLS_END = '<!-- /kafka-acls -->';

/** The principals of a deployment: the one ACL definition over the sink catalog (the launcher applies the same). */
export function deploymentPrincipals(): KafkaPrincipal[] {
  return leadflowPrincipals({ sinks: SINK_SERVICES });
}

/** A table of the principals and the `kafka-acls.sh` commands that grant exactly what the local launcher grants. */
export function renderKafkaAcls(principals: readonly KafkaPrincipal[]): string {
  const cells = principals.map((p) => [`\`User:${p.name}\``, p.description] as const);
  // Padded as prettier pads a Markdown table, so that `prettier --check` and the drift test agree.
  const w0 = Math.max('principal'.length, ...cells.map((c) => c[0].length));
  const w1 = Math.max('who and what'.length, ...cells.map((c) => c[1].length));
  const row = (a: string, b: string) => `| ${a.padEnd(w0)} | ${b.padEnd(w1)} |`;
  const commands = principals.flatMap((p) => [`# ${p.name}`, ...kafkaAclsCommands([p]), '']);
  return [
    ACLS_BEGIN,
    '',
    row('principal', 'who and what'),
    `| ${'-'.repeat(w0)} | ${'-'.repeat(w1)} |`,
    ...cells.map(([a, b]) => row(a, b)),
    '',
    '```sh',
    ...commands.slice(0, -1),
    '```',
    '',
    ACLS_END,
  ].join('\n');
}

/** `doc` with the text between the markers (markers included) replaced by `block`; throws if a marker is missing. */
export function spliceAcls(doc: string, block: string): string {
  const start = doc.indexOf(ACLS_BEGIN);
  const end = doc.indexOf(ACLS_END);
  if (start < 0 || end < start) throw new Error('docs/operations.md has no kafka-acls markers');
  return `${doc.slice(0, start)}${block}${doc.slice(end + ACLS_END.length)}`;
}
