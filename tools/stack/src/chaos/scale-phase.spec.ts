import { Partitioners } from 'kafkajs';
import { counterTotal } from './instances';
import { scalePlan, type ScaleStep } from './scale-phase';
import { CHAOS_OFFERS } from './scenario';

type Change = Exclude<ScaleStep, { op: 'wait' }>;
const changes = (plan: ScaleStep[]) => plan.filter((s): s is Change => s.op !== 'wait');

describe('the scale phase of ./dev chaos', () => {
  const plan = scalePlan('table-sink', 'salesforce-sink', 10_000);

  it.each(['table-sink', 'salesforce-sink'] as const)(
    '%s: extra instances join, one leaves by SIGTERM and one by SIGKILL, none outlives the phase',
    (sink) => {
      const own = changes(plan).filter((s) => s.sink === sink);
      const added = own.filter((s) => s.op === 'add').map((s) => s.instance);
      const removed = own.filter((s) => s.op !== 'add').map((s) => s.instance);
      expect(added.length).toBeGreaterThanOrEqual(2);
      expect(new Set(added).size).toBe(added.length);
      expect([...removed].sort()).toEqual([...added].sort());
      expect(own.filter((s) => s.op !== 'add').map((s) => s.op)).toEqual(
        expect.arrayContaining(['sigterm', 'sigkill']),
      );
      // Every instance is removed after it was added.
      for (const s of own.filter((x) => x.op !== 'add')) {
        expect(own.findIndex((x) => x.op === 'add' && x.instance === s.instance)).toBeLessThan(own.indexOf(s));
      }
    },
  );

  it('waits between changes and after the last one (leads flow meanwhile), about a minute in all', () => {
    expect(plan.at(-1)).toEqual({ op: 'wait', ms: 10_000 });
    const waited = plan.reduce((ms, s) => ms + (s.op === 'wait' ? s.ms : 0), 0);
    expect(waited).toBeGreaterThanOrEqual(40_000);
    expect(waited).toBeLessThanOrEqual(90_000);
  });

  it("spreads the table and Salesforce offers' leads over at least three of a route topic's six partitions", () => {
    // The router's partitioner on the offer id (these destinations have no quota account): the scale phase's added
    // instances must get partitions that carry leads.
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2, 3, 4, 5].map((partitionId) => ({
      partitionId,
      leader: 1,
      partitionErrorCode: 0,
      replicas: [1],
      isr: [1],
    }));
    const partitionOf = (key: string) =>
      partitioner({ topic: 'leads.route.x', partitionMetadata, message: { key: Buffer.from(key), value: null } });
    for (const prefix of ['chaos.table', 'chaos.salesforce']) {
      const offers = CHAOS_OFFERS.filter((o) => o.startsWith(prefix));
      expect(new Set(offers.map(partitionOf)).size).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('counterTotal', () => {
  it("sums a counter's labelled samples and ignores other metrics with the same prefix", () => {
    const exposition = [
      '# HELP leadflow_sink_delivered_total Leads delivered',
      '# TYPE leadflow_sink_delivered_total counter',
      'leadflow_sink_delivered_total{sink="table-sink"} 12',
      'leadflow_sink_delivered_total{sink="other"} 3',
      'leadflow_sink_delivered_totally_else 100',
      'leadflow_sink_delivered_total_created 5',
    ].join('\n');
    expect(counterTotal(exposition, 'leadflow_sink_delivered_total')).toBe(15);
    expect(counterTotal('', 'leadflow_sink_delivered_total')).toBe(0);
  });
});
