import { join } from 'node:path';
import { request } from 'undici';
import { freePort, isAlive, pidFile, stopProcessGroup } from '@leadflow/local-infra';
import { sinkService, type SinkName } from '@leadflow/sink-runtime';
import { sinkComponent } from '../components';
import type { StackConfig } from '../stack.config';
import { runDir } from '../stack-record';

/**
 * One more process of a sink of the stack, in the same consumer group as the stack's own (`./dev chaos` adds and
 * removes them while leads flow). Its pid file sits beside the stack's, so `./dev down` (and the chaos run's close)
 * stops it too if the run ends before it does.
 */
export interface ExtraInstance {
  /** `table-sink-1`: its log is `logs/<name>.log`. */
  readonly name: string;
  readonly pid: number;
  /** Leads it delivered so far (its `leadflow_sink_delivered_total`); undefined when its ops port does not answer. */
  delivered(): Promise<number | undefined>;
  /**
   * SIGTERM, as an orchestrator scales down: it settles what it has in flight and leaves the group. Resolves with the
   * milliseconds it took to exit; rejects (after a SIGKILL) when it did not exit within `graceMs`.
   */
  stop(graceMs?: number): Promise<number>;
  /** SIGKILL: a crash; its partitions move after the group's session timeout, its unsettled leads are redelivered. */
  kill(): Promise<void>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Signals a process group that may be gone already. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Sum of a counter's samples in a Prometheus text exposition. */
export function counterTotal(exposition: string, metric: string): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (line.startsWith(`${metric}{`) || line.startsWith(`${metric} `)) total += Number(line.split(' ').at(-1));
  }
  return total;
}

/** Starts instance `instance` (1, 2, …; the stack's own is 0) of `sink`; resolves once it is ready. */
export async function addInstance(cfg: StackConfig, sink: SinkName, instance: number): Promise<ExtraInstance> {
  const port = await freePort();
  const c = sinkComponent(sinkService(sink), { instance, port });
  const proc = await c.start(cfg);
  const path = join(runDir(cfg), `${c.name}.pid`);
  pidFile.write(path, proc.pid);
  const gone = async (): Promise<void> => {
    while (isAlive(proc.pid)) await pause(20);
    pidFile.remove(path);
  };
  return {
    name: c.name,
    pid: proc.pid,
    async delivered() {
      try {
        const res = await request(`http://${cfg.host}:${port}/metrics`, { headersTimeout: 2_000, bodyTimeout: 2_000 });
        return counterTotal(await res.body.text(), 'leadflow_sink_delivered_total');
      } catch {
        return undefined;
      }
    },
    async stop(graceMs = 25_000) {
      const t0 = Date.now();
      signalGroup(proc.pid, 'SIGTERM');
      while (isAlive(proc.pid) && Date.now() - t0 < graceMs) await pause(50);
      const exitedMs = Date.now() - t0;
      const forced = isAlive(proc.pid);
      if (forced) await stopProcessGroup(proc.pid, 0, 'SIGKILL');
      await gone();
      if (forced) throw new Error(`${c.name} did not exit within ${graceMs} ms of SIGTERM (SIGKILLed)`);
      return exitedMs;
    },
    async kill() {
      signalGroup(proc.pid, 'SIGKILL');
      await gone();
    },
  };
}
