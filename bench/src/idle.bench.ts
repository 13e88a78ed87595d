import { randomBytes, randomUUID } from 'node:crypto';
import { TOPIC_SPECS } from '@leadflow/lead-model';
import { ensureTopics } from '@leadflow/kafka';
import { freePorts } from '@leadflow/local-infra';
import { SINK_SERVICES, sinkPortVariable } from '@leadflow/sink-runtime';
import { benchKafka } from './baselines';
import { cpuMeter, runTs, waitFor200, type ChildService } from './processes';
import type { BenchContext } from './registry';
import type { BenchRow } from './report';

const SECONDS = Number(process.env['LEADFLOW_IDLE_SECONDS'] ?? '30');

/**
 * What a service costs while no lead flows: the five sinks and the router, each ready on its own topics, then left
 * alone for SECONDS; CPU from /proc. A sink that polls its broker, commits or scans on timers pays for it around the
 * clock, on every instance an autoscaler keeps at its floor. The baseline is a bare kafkajs consumer subscribed to
 * one topic with the client's defaults, idle on the same broker for the same time.
 */
export async function idleBench(ctx: BenchContext): Promise<BenchRow[]> {
  const kafka = benchKafka(ctx.brokers, 'bench-idle');
  const admin = kafka.admin();
  await admin.connect();
  const prefix = `bench-${randomUUID().slice(0, 8)}.`;
  await ensureTopics(admin, [
    ...TOPIC_SPECS.map((t) => ({ ...t, name: `${prefix}${t.name}` })),
    { name: `${prefix}idle-baseline`, partitions: 6, compacted: false },
  ]);
  await admin.disconnect();

  const ports = await freePorts(SINK_SERVICES.length + 1);
  const common = {
    KAFKA_BROKERS: ctx.brokers,
    LEADFLOW_TOPIC_PREFIX: prefix,
    LEADFLOW_SECRET_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    LEADFLOW_LOG_LEVEL: 'warn',
  };
  const services: [string, ChildService, number][] = SINK_SERVICES.map((s, i) => {
    const port = ports[i] ?? 0;
    return [s.name, runTs(`apps/${s.name}/src/main.ts`, { ...common, [sinkPortVariable(s.name)]: String(port) }), port];
  });
  const routerPort = ports[SINK_SERVICES.length] ?? 0;
  services.push([
    'router',
    runTs('apps/router/src/main.ts', { ...common, LEADFLOW_ROUTER_PORT: String(routerPort) }),
    routerPort,
  ]);
  const baseline = kafka.consumer({ groupId: `${prefix}idle-baseline` });
  try {
    await Promise.all(services.map(([, s, port]) => waitFor200(`http://127.0.0.1:${port}/readyz`, 90_000, s)));
    await baseline.connect();
    await baseline.subscribe({ topic: `${prefix}idle-baseline` });
    await baseline.run({ eachMessage: async () => undefined });
    // Let start-up work (group joins, first fetches, JIT) settle before the clock starts.
    await new Promise((r) => setTimeout(r, 5_000));
    const meter = cpuMeter(Object.fromEntries(services.map(([n, s]) => [n, s.child.pid])));
    const self0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const self = process.cpuUsage(self0);
    const used = meter.stop();
    const percent = (cpuS: number) => (cpuS / SECONDS) * 100;
    const base = { label: 'bare kafkajs consumer, idle', value: percent((self.user + self.system) / 1e6) };
    return services.map(([name]) => ({
      scenario: `${name}, idle for ${SECONDS} s: CPU`,
      value: percent(used[name] ?? Number.NaN),
      unit: '% of a core',
      baseline: base,
      ...(name.endsWith('-sink') ? { target: { atMost: 0.5 } } : {}),
      notes: `${(used[name] ?? Number.NaN).toFixed(2)} CPU s`,
    }));
  } finally {
    await baseline.disconnect().catch(() => undefined);
    await Promise.all(services.map(([, s]) => s.stop()));
  }
}
