import { readFileSync } from 'node:fs';
import { DLQ_STAGES, ERROR_CATALOG, type ErrorClassInfo } from '@leadflow/lead-model';
import { CATALOG_DOC_PATH, firstDifference, REGENERATE_COMMAND, renderErrorCatalog } from './catalog-doc';

describe('docs/error-catalog.md', () => {
  it('is what the generator renders from ERROR_CATALOG now', () => {
    let actual: string;
    try {
      actual = readFileSync(CATALOG_DOC_PATH, 'utf8');
    } catch {
      throw new Error(`docs/error-catalog.md is missing: run \`${REGENERATE_COMMAND}\``);
    }
    const diff = firstDifference(actual, renderErrorCatalog(ERROR_CATALOG));
    if (diff) {
      throw new Error(
        [
          `docs/error-catalog.md differs from ERROR_CATALOG (libs/lead-model/src/errors.ts) at line ${diff.line}.`,
          `Regenerate it with \`${REGENERATE_COMMAND}\` and commit the result.`,
          `  in the file: ${diff.actual ?? '(end of file)'}`,
          `  rendered:    ${diff.expected ?? '(end of file)'}`,
        ].join('\n'),
      );
    }
  });
});

describe('renderErrorCatalog', () => {
  const rendered = renderErrorCatalog(ERROR_CATALOG);
  const lines = rendered.split('\n');

  it('has one row per class, under the section of its stage', () => {
    const headings = lines.flatMap((l, i) => (l.startsWith('## ') ? [i] : []));
    for (const [code, info] of Object.entries(ERROR_CATALOG) as [string, ErrorClassInfo][]) {
      const rows = lines.flatMap((l, i) => (l.startsWith(`| \`${code}\` `) ? [i] : []));
      expect(rows).toHaveLength(1);
      const row = rows[0] ?? -1;
      const section = Math.max(...headings.filter((h) => h < row));
      const topicLine = lines[section + 2] ?? '';
      if (info.stage === 'any') expect(topicLine).toContain('stage where it happened');
      else expect(topicLine).toContain(`\`leads.dlq.${info.stage}\``);
      expect(lines[row]).toContain(info.remediation.replace(/\|/g, '\\|'));
    }
  });

  it('orders sections by stage: router, then each sink, then any', () => {
    const sections = lines.filter((l) => l.startsWith('Dead-lettered on '));
    const order = sections.map((l) => DLQ_STAGES.findIndex((s) => l.includes(`leads.dlq.${s}\``)));
    const known = order.filter((i) => i >= 0);
    expect(known).toEqual([...known].sort((a, b) => a - b));
    expect(sections[sections.length - 1]).toContain('stage where it happened');
  });

  it('renders every column of a class, escapes pipes and aligns the table', () => {
    const catalog: Record<string, ErrorClassInfo> = {
      'HTTPS.X': { category: 'configuration', retriable: false, stage: 'https', remediation: 'Use a|b.' },
      'HTTPS.LONGER_CODE': {
        category: 'configuration',
        retriable: false,
        stage: 'https',
        remediation: 'One record.',
        perRecord: true,
      },
      'HTTPS.Y': { category: 'transient', retriable: true, stage: 'https', remediation: 'Wait.' },
    };
    const text = renderErrorCatalog(catalog);
    expect(text).toContain(
      [
        '## HTTPS endpoint',
        '',
        'Dead-lettered on `leads.dlq.https`.',
        '',
        '| code                | category      | retriable | per record | remediation |',
        '| ------------------- | ------------- | --------- | ---------- | ----------- |',
        '| `HTTPS.X`           | configuration | no        | no         | Use a\\|b.   |',
        '| `HTTPS.LONGER_CODE` | configuration | no        | yes        | One record. |',
        '| `HTTPS.Y`           | transient     | yes       | —          | Wait.       |',
        '',
      ].join('\n'),
    );
    expect(text).not.toContain('## Router');
    expect(renderErrorCatalog(catalog)).toBe(text);
  });
});

describe('firstDifference', () => {
  it('names the first differing line, or nothing for equal texts', () => {
    expect(firstDifference('a\nb\nc\n', 'a\nb\nc\n')).toBeUndefined();
    expect(firstDifference('a\nB\nc\n', 'a\nb\nc\n')).toEqual({ line: 2, actual: 'B', expected: 'b' });
    expect(firstDifference('a\n', 'a\nb\n')).toEqual({ line: 2, actual: '', expected: 'b' });
  });
});
