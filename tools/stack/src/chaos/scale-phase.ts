import type { SinkName } from '@leadflow/sink-runtime';
import type { StackConfig } from '../stack.config';
import { addInstance, type ExtraInstance } from './instances';

/** One step of the scale phase: an extra instance of a sink added, stopped (SIGTERM) or killed (SIGKILL), or a wait. */
export type ScaleStep =
  | { readonly op: 'add' | 'sigterm' | 'sigkill'; readonly sink: SinkName; readonly instance: number }
  | { readonly op: 'wait'; readonly ms: number };

/**
 * The scale phase of `./dev chaos` for two sinks: each goes from one instance (the stack's own) to two and three and
 * back, every extra instance leaving either gracefully (SIGTERM) or by SIGKILL, each sink both ways, while leads flow.
 * `holdMs` between changes lets the group rebalance and the new owners deliver. The stack's own instances stay.
 */
export function scalePlan(a: SinkName, b: SinkName, holdMs: number): ScaleStep[] {
  const wait: ScaleStep = { op: 'wait', ms: holdMs };
  return [
    { op: 'add', sink: a, instance: 1 },
    { op: 'add', sink: b, instance: 1 },
    wait,
    { op: 'add', sink: a, instance: 2 },
    wait,
    { op: 'sigterm', sink: a, instance: 1 },
    { op: 'sigkill', sink: b, instance: 1 },
    wait,
    { op: 'add', sink: b, instance: 2 },
    wait,
    { op: 'sigkill', sink: a, instance: 2 },
    { op: 'sigterm', sink: b, instance: 2 },
    wait,
  ];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Runs a scale plan against the stack; returns what it did, one phrase per change, e.g. `+table-sink-1`,
 * `-table-sink-1 SIGTERM (delivered 212, exited in 1.3 s)`. Whatever fails, no extra instance outlives the phase.
 */
export async function runScalePlan(cfg: StackConfig, plan: readonly ScaleStep[]): Promise<string[]> {
  const running = new Map<string, ExtraInstance>();
  const done: string[] = [];
  try {
    for (const step of plan) {
      if (step.op === 'wait') {
        await new Promise((r) => setTimeout(r, step.ms));
        continue;
      }
      const name = `${step.sink}-${step.instance}`;
      if (step.op === 'add') {
        running.set(name, await addInstance(cfg, step.sink, step.instance));
        done.push(`+${name}`);
        continue;
      }
      const extra = running.get(name);
      if (!extra) throw new Error(`scale plan removes ${name}, which it did not add`);
      running.delete(name);
      const delivered = await extra.delivered();
      if (step.op === 'sigterm') {
        const exitedMs = await extra.stop();
        done.push(`-${name} SIGTERM (delivered ${delivered ?? '?'}, exited in ${seconds(exitedMs)})`);
      } else {
        await extra.kill();
        done.push(`-${name} SIGKILL (delivered ${delivered ?? '?'})`);
      }
    }
    return done;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${message} after ${done.join(', ') || 'no change'}`);
  } finally {
    await Promise.all([...running.values()].map((x) => x.kill()));
  }
}
