import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePorts, startKafkaCluster, type RunningCluster } from '@leadflow/local-infra';
import { startTestInfra } from '@leadflow/testing';
import { renderReport, verdict, type BenchRow } from './report';
import { BENCHMARKS, ON_REQUEST, type BenchContext } from './registry';

/**
 * The broker's JVM: the tests' tuning (serial GC, C1 only) unless `LEADFLOW_BENCH_KAFKA_JVM=as-shipped` (G1, C2, as
 * Kafka's scripts start a broker). Once compiled, C2 code spends about 40 % less CPU in the broker's request threads,
 * but on a 2-core machine the compiling itself goes on for over a minute of load at 500 leads/s: within the e2e bench's
 * 5 s warm-up it costs more than it saves (docs/operations.md, "Latency: where the time goes").
 */
const BROKER_JVM = process.env['LEADFLOW_BENCH_KAFKA_JVM'] === 'as-shipped' ? 'as-shipped' : 'quick-start';

async function startBenchCluster(): Promise<RunningCluster> {
  const root = resolve(__dirname, '..', '..');
  const nodes = [];
  const free = await freePorts(6);
  for (let id = 1; id <= 3; id++)
    nodes.push({ id, port: free[2 * id - 2] ?? 0, controllerPort: free[2 * id - 1] ?? 0 });
  return startKafkaCluster({
    libsDir: join(process.env['LEADFLOW_LOCAL_DIR'] ?? join(root, '.local'), 'kafka', 'libs'),
    log4jConfig: join(root, 'tools', 'kafka', 'log4j2.properties'),
    dataDir: mkdtempSync(join(tmpdir(), 'leadflow-bench-cluster-')),
    host: '127.0.0.1',
    nodes,
    detached: false,
    jvm: BROKER_JVM,
  });
}

/**
 * `./dev bench [name ...]`: each benchmark prints its figures beside a baseline measured in the same
 * run, on the same broker and emulator (started for the run, as the integration tests do).
 */
async function main(names: readonly string[]): Promise<number> {
  const selected = names.length > 0 ? names : Object.keys(BENCHMARKS).filter((n) => !ON_REQUEST.has(n));
  const unknown = selected.filter((n) => !(n in BENCHMARKS));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}\n`);
    return 2;
  }
  // LEADFLOW_BENCH_KAFKA_NODES=3: the run's broker is a 3-node cluster (RF 3, min ISR 2) instead of one broker.
  const cluster = process.env['LEADFLOW_BENCH_KAFKA_NODES'] === '3' ? await startBenchCluster() : undefined;
  if (cluster) process.env['KAFKA_BROKERS'] = cluster.brokers;
  const infra = await startTestInfra({ kafkaJvm: BROKER_JVM });
  const ctx: BenchContext = {
    brokers: infra.kafkaBrokers,
    tablesConnectionString: infra.azuriteConnectionString,
    brokerPids: cluster ? cluster.nodes.map((n) => n.process.pid) : infra.kafkaPids,
  };
  process.stdout.write(
    `# leadflow benchmarks — ${new Date().toISOString()}, Kafka via ${cluster ? 'a 3-node cluster of the local launcher' : infra.source} (broker JVM ${BROKER_JVM}), node ${process.version}\n\n`,
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
    await cluster?.stop();
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
