import type { BenchRow } from './report';
import { e2eBench, e2eTracingBench } from './e2e.bench';
import { failoverBench } from './failover.bench';
import { idleBench } from './idle.bench';
import { ingestBench } from './ingest.bench';
import { kafkaBaselines } from './kafka.bench';
import { routerBench } from './router.bench';
import { sinksBench } from './sinks.bench';

export interface BenchContext {
  readonly brokers: string;
  readonly tablesConnectionString: string;
  /** The broker processes of the run (one, or the cluster's three): their CPU time counts in the cost per lead. */
  readonly brokerPids: readonly number[];
}

export type Benchmark = (ctx: BenchContext) => Promise<BenchRow[]>;

/** Every benchmark, by name (`./dev bench <name>`). */
export const BENCHMARKS: Readonly<Record<string, Benchmark>> = {
  kafka: kafkaBaselines,
  ingest: ingestBench,
  router: routerBench,
  sinks: sinksBench,
  // 500 leads/s for 60 s through ingest, router and two sinks: latency and RSS of every service.
  e2e: (ctx) => e2eBench(ctx),
  // The e2e bench three times: tracing disabled, as shipped (spans made, not exported), exported at 100 %.
  'e2e-tracing': e2eTracingBench,
  // The five sinks and the router with no lead flowing: CPU per instance kept at an autoscaler's floor.
  idle: idleBench,
  // Starts its own 3-node cluster (the run's single broker cannot fail over); a few minutes.
  failover: failoverBench,
};
