import { DEV_ENV } from '../components';
import { renderTable } from '../demo/table';
import { away, coordinatorNode, kafkaNode, kill, leaderOf, restart, restartGracefully } from './faults';
import { steadyLoad } from './load';
import { runScalePlan, scalePlan } from './scale-phase';
import { CHAOS_OFFERS, chaosStack, type ChaosStack } from './scenario';

/**
 * `./dev chaos`: minutes of faults on a 3-node cluster while leads flow at a steady rate through ingest, the router
 * and three sinks (HTTPS receiver, Azure Table, Salesforce with an external id): brokers, services and Azurite
 * killed and restarted, extra sink instances added and removed, a CRM away. Every loop is bounded. Afterwards
 * the leads are counted at the destinations and on the dead-letter topics; exit 1 on any loss or duplicate.
 */
interface Fault {
  readonly name: string;
  run(stack: ChaosStack): Promise<string>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function faults(simulatorAwayMs: number): Fault[] {
  const crash = (service: string, times: number): Fault => ({
    name: `${service} SIGKILLed and restarted ×${times}`,
    async run(s) {
      for (let i = 0; i < times; i++) {
        await kill(s.cfg, service);
        await pause(2_000);
        await restart(s.cfg, service);
        await pause(4_000);
      }
      return `${times} crash(es)`;
    },
  });
  return [
    {
      name: "leader of leads.ingested's partitions SIGKILLed and restarted",
      async run(s) {
        const killed: number[] = [];
        for (const partition of [0, 3]) {
          const leader = await leaderOf(s.cfg, 'leads.ingested', partition);
          await kill(s.cfg, kafkaNode(leader));
          killed.push(leader);
          await pause(8_000);
          await restart(s.cfg, kafkaNode(leader));
          await pause(5_000);
        }
        return `nodes ${killed.join(', ')}`;
      },
    },
    {
      name: "transaction coordinator's broker SIGKILLed and restarted",
      async run(s) {
        const node = await coordinatorNode(s.cfg);
        await kill(s.cfg, kafkaNode(node));
        await pause(8_000);
        await restart(s.cfg, kafkaNode(node));
        await pause(5_000);
        return `node ${node}`;
      },
    },
    crash('ingest', 2),
    crash('router', 3),
    crash('table-sink', 2),
    crash('https-sink', 2),
    crash('salesforce-sink', 2),
    {
      // Sinks without a handover (Marketo's holds a gained partition's leads 21 s), both idempotent at the destination
      // (a row per lead id, an upsert on the external id): a lead attempted by an instance that left and again by the
      // new owner is stored once, and counted twice if that ever stopped being true.
      name: 'table-sink and salesforce-sink scaled 1→3→1 (SIGTERM and SIGKILL)',
      async run(s) {
        return (await runScalePlan(s.cfg, scalePlan('table-sink', 'salesforce-sink', 10_000))).join(', ');
      },
    },
    {
      // Stopped, not killed: the emulator keeps its tables in memory and saves them at intervals and on shutdown,
      // so a SIGKILL would lose rows Azure Table itself never loses once it answered.
      name: 'Azurite restarted',
      async run(s) {
        await restartGracefully(s.cfg, 'azurite', 5_000);
        await pause(5_000);
        return 'down 5 s';
      },
    },
    {
      // Unreachable (every connection reset) but not restarted: the simulator's records are what is counted.
      name: `Salesforce (simulator) away ${Math.round(simulatorAwayMs / 1000)} s`,
      async run(s) {
        await away(s.cfg, 'SALESFORCE', simulatorAwayMs);
        await pause(simulatorAwayMs + 5_000);
        return `connections reset for ${Math.round(simulatorAwayMs / 1000)} s`;
      },
    },
  ];
}

async function main(): Promise<number> {
  const log = (line = '') => process.stdout.write(`${line}\n`);
  const rate = Number(process.env['LEADFLOW_CHAOS_RATE'] ?? '40');
  const awayMs = Number(process.env['LEADFLOW_CHAOS_SIMULATOR_AWAY_MS'] ?? '120000');
  // The sinks (children of this process) keep retrying a CRM that is away longer than the default budget
  // (6 attempts, two minutes): their leads are delivered after the outage instead of dead-lettered.
  process.env['LEADFLOW_SINK_RETRY_BUDGET_MS'] = String(awayMs + 120_000);
  process.env['LEADFLOW_SINK_MAX_ATTEMPTS'] = '30';
  const stack = await chaosStack(log);
  let failed = true;
  try {
    const abort = new AbortController();
    const load = steadyLoad({
      ingestUrl: `http://${stack.cfg.host}:${stack.cfg.ingestPort}`,
      token: DEV_ENV.LEADFLOW_INGEST_TOKENS,
      rate,
      offers: CHAOS_OFFERS,
      signal: abort.signal,
    });
    log(`leads at ${rate}/s to ${CHAOS_OFFERS.join(', ')}`);
    const rows: string[][] = [];
    const t0 = Date.now();
    for (const f of faults(awayMs)) {
      const started = Date.now();
      let detail: string;
      try {
        detail = await f.run(stack);
      } catch (err) {
        detail = `FAILED: ${err instanceof Error ? err.message : String(err)}`;
      }
      rows.push([
        f.name,
        `${((started - t0) / 1000).toFixed(0)} s`,
        `${((Date.now() - started) / 1000).toFixed(0)} s`,
        detail,
      ]);
      log(`  ${f.name}: ${detail}`);
    }
    await pause(10_000);
    abort.abort();
    const report = await load;
    log(
      `load stopped: ${report.accepted.length} accepted (202), ${report.retried} attempts retried, ${report.unaccepted} never accepted`,
    );
    const verdict = await stack.settle(report.accepted, 10 * 60_000);
    log('');
    log(renderTable(['fault', 'at', 'lasted', 'detail'], rows));
    log('');
    log(
      renderTable(
        ['accepted (202)', 'delivered', 'dead-lettered', 'missing', 'duplicated', 'sent to Salesforce again'],
        [
          [
            verdict.accepted,
            verdict.delivered,
            verdict.deadLettered,
            verdict.missing.length,
            verdict.duplicated.length,
            verdict.attemptedAgain,
          ].map(String),
        ],
      ),
    );
    if (verdict.missing.length > 0) {
      log(`missing by offer: ${JSON.stringify(verdict.missingByOffer)}`);
      log(`missing: ${verdict.missing.slice(0, 20).join(', ')}`);
    }
    if (verdict.duplicated.length > 0) log(`duplicated: ${verdict.duplicated.slice(0, 20).join(', ')}`);
    failed = verdict.missing.length > 0 || verdict.duplicated.length > 0;
    if (failed) log(`logs and data kept in ${stack.dir}`);
    return failed ? 1 : 0;
  } finally {
    await stack.close({ keep: failed });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
