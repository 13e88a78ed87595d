import { performance } from 'node:perf_hooks';

/**
 * What a reader child prints once it has read the whole stream: one JSON line. Times are from the
 * process's own start (performance.timeOrigin), so start-up includes loading the framework.
 */
export interface ReaderReport {
  readonly startupMs: number;
  readonly readMs: number;
  readonly records: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  readonly offers: number;
}

/** Counts records; reports and exits once `expected` were read. */
export function readerMeter(expected: number, offers: () => number): { record(): void } {
  let first: number | undefined;
  let count = 0;
  return {
    record() {
      const now = performance.now();
      first ??= now;
      if (++count !== expected) return;
      const cpu = process.cpuUsage();
      const report: ReaderReport = {
        startupMs: first,
        readMs: now - first,
        records: count,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
        offers: offers(),
      };
      process.stdout.write(`${JSON.stringify(report)}\n`);
      // The measurement is done: no graceful leave (both readers are treated alike).
      setImmediate(() => process.exit(0));
    },
  };
}

/** The reader's job, as ingest's status index does it: the receipt's JSON, latest delivery per offer. */
export function indexReceipt(index: Map<string, string>, value: unknown): void {
  const r = (typeof value === 'string' ? JSON.parse(value) : value) as { offerId?: unknown; deliveredAt?: unknown };
  if (typeof r?.offerId === 'string' && typeof r.deliveredAt === 'string') index.set(r.offerId, r.deliveredAt);
}

export interface ReaderEnv {
  readonly brokers: string[];
  readonly topic: string;
  readonly expected: number;
  readonly groupId: string;
}

export function readerEnv(): ReaderEnv {
  const need = (name: string) => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is required`);
    return v;
  };
  return {
    brokers: need('BENCH_BROKERS').split(','),
    topic: need('BENCH_TOPIC'),
    expected: Number(need('BENCH_EXPECTED')),
    groupId: need('BENCH_GROUP'),
  };
}
