import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ERROR_CATEGORIES } from '@leadflow/lead-model';
import { RULES_FILE } from './prometheus';

const root = join(__dirname, '..', '..', '..', '..');

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
}

const rules = (): Rule[] =>
  (parse(readFileSync(join(root, RULES_FILE), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
    (g) => g.rules,
  );

/** The rules and the series the services export agree: an alert over a value nobody writes never fires. */
describe('deploy/observability rules', () => {
  it('pages or tickets on every dead-letter category of the catalog, each exactly once', () => {
    const deadLetterAlerts = rules().filter(
      (r) => r.alert && /leadflow(:dead_letters:|_dead_letters_total)/.test(r.expr),
    );
    const matchers = deadLetterAlerts.map((r) => {
      const m = /category=~"([^"]+)"/.exec(r.expr);
      if (!m) throw new Error(`${r.alert}: no category matcher`);
      // Prometheus anchors label regexes at both ends.
      return { alert: r.alert as string, re: new RegExp(`^(?:${m[1]})$`) };
    });
    const coverage = ERROR_CATEGORIES.map((c) => [c, matchers.filter((m) => m.re.test(c)).map((m) => m.alert)]);
    expect(coverage).toEqual(ERROR_CATEGORIES.map((c) => [c, [expect.any(String)]]));
  });

  it('routes every alert to an owner with a severity, and a runbook entry that exists', () => {
    const doc = readFileSync(join(root, 'docs', 'observability.md'), 'utf8');
    for (const r of rules().filter((x) => x.alert)) {
      expect([r.alert, r.labels?.['owner'], r.labels?.['severity']]).toEqual([
        r.alert,
        expect.stringMatching(/^(sre|publisher)$/),
        expect.stringMatching(/^(page|ticket)$/),
      ]);
      expect([r.alert, doc.includes(`#### ${r.alert}`)]).toEqual([r.alert, true]);
    }
  });
});
