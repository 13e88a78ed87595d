import { startTestInfra } from '@leadflow/testing';
import { renderReport, verdict, type BenchRow } from './report';
import { BENCHMARKS, type BenchContext } from './registry';

/**
 * `./dev bench [name ...]`: each benchmark prints its figures beside a baseline measured in the same
 * run, on the same broker and emulator (started for the run, as the integration tests do).
 */
async function main(names: readonly string[]): Promise<number> {
  const selected = names.length > 0 ? names : Object.keys(BENCHMARKS);
  const unknown = selected.filter((n) => !(n in BENCHMARKS));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}\n`);
    return 2;
  }
  const infra = await startTestInfra();
  const ctx: BenchContext = { brokers: infra.kafkaBrokers, tablesConnectionString: infra.azuriteConnectionString };
  process.stdout.write(
    `# leadflow benchmarks — ${new Date().toISOString()}, Kafka via ${infra.source}, node ${process.version}\n\n`,
  );
  const all: BenchRow[] = [];
  try {
    for (const name of selected) {
      const bench = BENCHMARKS[name];
      if (!bench) continue;
      const rows = await bench(ctx);
      all.push(...rows);
      process.stdout.write(`${renderReport(name, rows)}\n`);
    }
  } finally {
    await infra.stop();
  }
  const missed = all.filter((r) => verdict(r) === 'MISSED');
  process.stdout.write(
    missed.length === 0 ? 'all targets met\n' : `targets missed: ${missed.map((r) => r.scenario).join('; ')}\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
