import type { BenchRow } from './report';
import { consoleBench } from './console.bench';
import { e2eBench, e2eTracingBench } from './e2e.bench';
import { failoverBench } from './failover.bench';
import { fairnessBench } from './fairness.bench';
import { idleBench } from './idle.bench';
import { ingestBench } from './ingest.bench';
import { kafkaBaselines } from './kafka.bench';
import { routerBench } from './router.bench';
import { scaleBench } from './scale.bench';
import { soakBench } from './soak.bench';
import { statusStartupBench } from './status-startup.bench';
import { sinksBench } from './sinks.bench';
import { statusReaderBench } from './status-reader/status-reader.bench';

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
  // One offer at 50 leads/s beside 10,000 queued leads of an offer whose CRM hangs, on one https-sink instance.
  fairness: fairnessBench,
  // 500 leads/s for 60 s through ingest, router and two sinks: latency and RSS of every service.
  e2e: (ctx) => e2eBench(ctx),
  // The e2e bench three times: tracing disabled, as shipped (spans made, not exported), exported at 100 %.
  'e2e-tracing': e2eTracingBench,
  // The five sinks and the router with no lead flowing: CPU per instance kept at an autoscaler's floor.
  idle: idleBench,
  // Starts its own 3-node cluster (the run's single broker cannot fail over); a few minutes.
  failover: failoverBench,
  // The @nestjs/microservices trial (docs/decisions): ingest's status reader both ways, each its own process.
  'status-reader': statusReaderBench,
  // The https sink with 1, 2 and 3 instances on a 6-partition topic, and the pause when one joins or leaves.
  scale: scaleBench,
  // An ingest instance's start-up and RSS with 10,000 and 1,000,000 receipts on leads.delivered.
  status: statusStartupBench,
  // 200,000 dead letters and 1,000,000 receipts: the console's start-up, overview, lead history and RSS.
  console: consoleBench,
  // 300 leads/s over all five destination types for 20 minutes: RSS slope, event-loop delay, lag after the load.
  soak: soakBench,
};

/** Benchmarks `./dev bench` without names leaves out: each runs for long enough to be asked for by name. */
export const ON_REQUEST: ReadonlySet<string> = new Set(['soak']);
