import { resolve } from 'node:path';
import { DLQ_STAGES, Topics, type DlqStage, type ErrorClassInfo } from '@leadflow/lead-model';

/** Where the rendered catalog lives in the repository. */
export const CATALOG_DOC_PATH = resolve(__dirname, '..', '..', '..', 'docs', 'error-catalog.md');

/** The command that rewrites the document from the catalog (named in the drift check's failure). */
export const REGENERATE_COMMAND = 'node -r @swc-node/register tools/docs/src/generate-catalog.ts';

type Stage = DlqStage | 'any';

/** Section titles; typed over every stage, so a new stage does not compile until it has one. */
const STAGE_TITLES: Readonly<Record<Stage, string>> = {
  router: 'Router',
  dynamics: 'Dynamics 365 (Dataverse)',
  salesforce: 'Salesforce',
  marketo: 'Marketo',
  'azure-table': 'Azure Table storage',
  https: 'HTTPS endpoint',
  any: 'Any stage',
};

const STAGE_ORDER: readonly Stage[] = [...DLQ_STAGES, 'any'];

const INTRO = [
  '<!-- Generated from ERROR_CATALOG in libs/lead-model/src/errors.ts. Do not edit by hand: run',
  `     \`${REGENERATE_COMMAND}\`. A unit test fails when this file and the catalog differ. -->`,
  '',
  '# Error catalog',
  '',
  'Every lead that leadflow gives up on lands on a dead-letter topic (`leads.dlq.<stage>`) with one of these classes in',
  'the `leadflow.error.class` header, its category in `leadflow.error.category` and the remediation below in',
  '`leadflow.error.remediation` (see [kafka.md](kafka.md#dead-letter-records)). The same class and remediation are what',
  '`GET /v1/offers/{offerId}/status` reports for a failed validation lead. Codes are stable: new classes may be added,',
  'an existing code never changes meaning.',
  '',
  '- **category**: `configuration` (the publisher must fix the destination), `data` (this lead cannot be written as',
  '  it is), `transient` (retried with backoff), `internal` (a bug in leadflow). A transient class whose retry budget',
  '  runs out is dead-lettered with the same code and the category `transient-exhausted`.',
  '- **retriable**: whether a sink tries the lead again. Configuration, data and internal classes are dead-lettered at',
  '  once.',
  "- **per record**: for configuration classes. `no`: the whole offer is misconfigured; the sink opens the offer's",
  '  circuit and dead-letters its next leads of the same destination version without calling the destination, until',
  "  the destination is saved again. `yes`: the error is about this record (a rule some leads break); the offer's",
  '  other leads are still sent.',
  '',
  "A class is listed under the stage that raises it. The sinks also raise `ROUTER.OFFER_NOT_CONFIGURED` (the offer's",
  'destination was removed or changed type after the lead was routed) and `ROUTER.MALFORMED_EVENT` (a record on a',
  'route topic that is not a canonical lead), on their own dead-letter topic.',
];

/** Markdown table cell: pipes escaped, line breaks flattened. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/** Display width as Prettier measures it for the characters the catalog uses (one column per code point). */
function width(text: string): number {
  return [...text].length;
}

/** A table aligned the way Prettier prints Markdown tables, so formatting the file leaves it unchanged. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(3, width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - width(c))).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)];
}

function perRecordCell(info: ErrorClassInfo): string {
  if (info.category !== 'configuration') return '—';
  return info.perRecord ? 'yes' : 'no';
}

/**
 * The Markdown of `docs/error-catalog.md`: one table per stage, stages in the order of `DLQ_STAGES` then `any`,
 * classes in the catalog's own order. Pure: the same catalog always renders the same text.
 */
export function renderErrorCatalog(catalog: Readonly<Record<string, ErrorClassInfo>>): string {
  const out = [...INTRO];
  for (const stage of STAGE_ORDER) {
    const entries = Object.entries(catalog).filter(([, info]) => info.stage === stage);
    if (entries.length === 0) continue;
    const topic = stage === 'any' ? 'the dead-letter topic of the stage where it happened' : `\`${Topics.dlq(stage)}\``;
    out.push('', `## ${STAGE_TITLES[stage]}`, '', `Dead-lettered on ${topic}.`, '');
    out.push(
      ...table(
        ['code', 'category', 'retriable', 'per record', 'remediation'],
        entries.map(([code, info]) => [
          `\`${code}\``,
          info.category,
          info.retriable ? 'yes' : 'no',
          perRecordCell(info),
          cell(info.remediation),
        ]),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

/** The first line where two texts differ (1-based), with both versions of it; undefined when they are equal. */
export function firstDifference(
  actual: string,
  expected: string,
): { line: number; actual: string | undefined; expected: string | undefined } | undefined {
  if (actual === expected) return undefined;
  const a = actual.split('\n');
  const e = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] !== e[i]) return { line: i + 1, actual: a[i], expected: e[i] };
  }
  return { line: a.length, actual: a[a.length - 1], expected: e[e.length - 1] };
}
