import { fitSlope, growthPercent, parseMetric } from './soak-figures';

describe('soak figures', () => {
  it('fits the slope of RSS samples and the growth along the line, not between two noisy samples', () => {
    // 100 MB at minute 5 rising 1 MB a minute, with GC noise of ±4 MB that would make the endpoints say 8 % not 15 %.
    const points = Array.from({ length: 16 }, (_, i): [number, number] => [5 + i, 100 + i + (i % 2 === 0 ? 4 : -4)]);
    const fit = fitSlope(points);
    expect(fit.slope).toBeCloseTo(1, 0);
    expect(growthPercent(fit, 5, 20)).toBeGreaterThan(12);
    expect(growthPercent(fit, 5, 20)).toBeLessThan(18);
  });

  it('gives no slope from a single sample', () => {
    expect(fitSlope([[5, 100]]).slope).toBeNaN();
  });

  it('reads every series of a metric and skips comments and longer names', () => {
    const text = [
      '# HELP leadflow_kafka_consumer_lag_records Records not yet taken',
      '# TYPE leadflow_kafka_consumer_lag_records gauge',
      'leadflow_kafka_consumer_lag_records{group="leadflow-router",topic="leads.ingested",partition="0",service="router"} 3',
      'leadflow_kafka_consumer_lag_records{group="leadflow-router",topic="leads.ingested",partition="1",service="router"} 0',
      'leadflow_kafka_consumer_lag_records_total 99',
      'nodejs_eventloop_lag_p99_seconds{service="router"} 0.012',
    ].join('\n');
    expect(parseMetric(text, 'leadflow_kafka_consumer_lag_records')).toEqual([3, 0]);
    expect(parseMetric(text, 'nodejs_eventloop_lag_p99_seconds')).toEqual([0.012]);
    expect(parseMetric(text, 'absent_metric')).toEqual([]);
  });
});
