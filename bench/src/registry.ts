import type { BenchRow } from './report';
import { consoleBench } from './console.bench';
import { e2eBench } from './e2e.bench';
import { failoverBench } from './failover.bench';
import { ingestBench } from './ingest.bench';
import { kafkaBaselines } from './kafka.bench';
import { routerBench } from './router.bench';
import { sinksBench } from './sinks.bench';

export interface BenchContext {
  readonly brokers: string;
  readonly tablesConnectionString: string;
}

export type Benchmark = (ctx: BenchContext) => Promise<BenchRow[]>;

/** Every benchmark, by name (`./dev bench <name>`). */
export const BENCHMARKS: Readonly<Record<string, Benchmark>> = {
  kafka: kafkaBaselines,
  ingest: ingestBench,
  router: routerBench,
  sinks: sinksBench,
  // 500 leads/s for 60 s through ingest, router and two sinks: latency and RSS of every service.
  e2e: e2eBench,
  // Starts its own 3-node cluster (the run's single broker cannot fail over); a few minutes.
  failover: failoverBench,
  // 200,000 dead letters and 1,000,000 receipts: the console's start-up, overview, lead history and RSS.
  console: consoleBench,
};
