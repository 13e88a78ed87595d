import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/** How often the loop's utilisation is read to decide whether its delay is sampled. */
const CHECK_EVERY_MS = 1_000;
/** The sampling timer's period: delays shorter than this are not seen (prom-client's default). */
const RESOLUTION_MS = 10;
/**
 * Below this share of the last check's wall time spent running callbacks (rather than waiting in the poll phase),
 * the loop counts as idle. An otherwise idle process reads 0.3–0.4 % with the 10 ms timer on (its own callbacks) and
 * 0.02–0.1 % with it off; a service under load, tens of percent.
 */
const IDLE_BELOW = 0.02;

export interface EventLoopMetricsOptions {
  readonly checkEveryMs?: number;
}

/**
 * prom-client's event-loop series (`nodejs_eventloop_lag_seconds` and the `_min/_max/_mean/_stddev/_p50/_p90/_p99`
 * histogram gauges, same names and meaning), with one difference: the 10 ms sampling timer runs only while the loop
 * is doing something. prom-client keeps it running for the life of the process — 100 wake-ups a second, which on this
 * machine kind cost an otherwise idle Node process 0.55 % of a core (`./dev bench idle`), more than a sink's whole
 * idle budget of 0.5 %. Here a once-a-second look at the loop's utilisation (kept by libuv, free to read) turns the
 * timer off when under 2 % of the last second was spent running code and on again when more was; a loop that idles
 * has no delay to measure, and its histogram gauges read 0 for windows with no sample. The price: a stall in a loop
 * that idled the second before is seen only from the next check on (prom-client's p99 over a 15 s scrape would not
 * show one stall either; its max would). The setImmediate lag read at scrape time is unchanged.
 */
export function registerEventLoopMetrics(registry: Registry, options: EventLoopMetricsOptions = {}): () => void {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let sampling = true;
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  const check = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization >= IDLE_BELOW;
    last = now;
    if (busy === sampling) return;
    sampling = busy;
    if (busy) histogram.enable();
    else histogram.disable();
  }, options.checkEveryMs ?? CHECK_EVERY_MS);
  check.unref();

  // One collect sets every series, as prom-client does; the histogram restarts with each scrape. Registered first:
  // a registry collects in registration order, and the others must be set before they are read.
  new Gauge({
    name: 'nodejs_eventloop_lag_seconds',
    help: 'Lag of event loop in seconds.',
    registers: [registry],
    collect() {
      const start = process.hrtime.bigint();
      setImmediate(() => this.set(Number(process.hrtime.bigint() - start) / 1e9));
      const seen = histogram.count > 0;
      const s = (ns: number) => (seen ? ns / 1e9 : 0);
      min.set(s(histogram.min));
      max.set(s(histogram.max));
      mean.set(s(histogram.mean));
      stddev.set(s(histogram.stddev));
      p50.set(s(histogram.percentile(50)));
      p90.set(s(histogram.percentile(90)));
      p99.set(s(histogram.percentile(99)));
      histogram.reset();
    },
  });
  const gauge = (suffix: string, help: string) =>
    new Gauge({ name: `nodejs_eventloop_lag${suffix}_seconds`, help, registers: [registry] });
  const min = gauge('_min', 'The minimum recorded event loop delay.');
  const max = gauge('_max', 'The maximum recorded event loop delay.');
  const mean = gauge('_mean', 'The mean of the recorded event loop delays.');
  const stddev = gauge('_stddev', 'The standard deviation of the recorded event loop delays.');
  const p50 = gauge('_p50', 'The 50th percentile of the recorded event loop delays.');
  const p90 = gauge('_p90', 'The 90th percentile of the recorded event loop delays.');
  const p99 = gauge('_p99', 'The 99th percentile of the recorded event loop delays.');
  return () => {
    clearInterval(check);
    histogram.disable();
  };
}
