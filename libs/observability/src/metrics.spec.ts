import { Counter, Registry } from 'prom-client';
import { cappedLabel, createMetricsRegistry, deadLetterCounter, metricLabelViolations } from './index';

describe('metric labels', () => {
  it('names every label outside the allowed set, with its metric', async () => {
    const registry = createMetricsRegistry('test');
    new Counter({ name: 'leadflow_bad_total', help: 'x', labelNames: ['lead_id'], registers: [registry] }).inc({
      lead_id: 'abc',
    });
    deadLetterCounter(registry, [{ stage: 'router', errorClass: 'ROUTER.MALFORMED_EVENT', category: 'data' }]);
    expect(metricLabelViolations(await registry.metrics())).toEqual(['leadflow_bad_total{lead_id}']);
  });

  it('starts the dead-letter series at 0 and shares one counter per registry', async () => {
    const registry = new Registry();
    const a = deadLetterCounter(registry, [
      { stage: 'https', errorClass: 'HTTPS.SERVER_ERROR', category: 'transient' },
    ]);
    expect(deadLetterCounter(registry)).toBe(a);
    expect(await registry.metrics()).toContain(
      'leadflow_dead_letters_total{stage="https",error_class="HTTPS.SERVER_ERROR",category="transient"} 0',
    );
  });

  it('caps a configuration-valued label: later values share "other"', () => {
    const label = cappedLabel(2);
    expect(['a', 'b', 'c', 'a', 'd'].map(label)).toEqual(['a', 'b', 'other', 'a', 'other']);
  });
});
