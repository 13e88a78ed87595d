import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Agent, fetch } from 'undici';
import { simulatorTlsDir } from '../components';
import { isAlive, waitForKafka } from '@leadflow/local-infra';
import { kafkaBrokers, kafkaNodePorts, type StackConfig } from '../stack.config';
import { killComponent, startComponent, stopOne } from '../stack';

const admin = (cfg: StackConfig) =>
  new Kafka({ brokers: kafkaBrokers(cfg).split(','), clientId: 'leadflow-chaos', logLevel: logLevel.NOTHING }).admin();

/** The node id leading `topic`/`partition` now. */
export async function leaderOf(cfg: StackConfig, topic: string, partition: number): Promise<number> {
  const a = admin(cfg);
  await a.connect();
  try {
    const meta = await a.fetchTopicMetadata({ topics: [topic] });
    const p = meta.topics[0]?.partitions.find((x) => x.partitionId === partition);
    if (!p || p.leader < 0) throw new Error(`${topic}/${partition} has no leader`);
    return p.leader;
  } finally {
    await a.disconnect();
  }
}

/** Component name of Kafka node `id` in a 3-node stack. */
export const kafkaNode = (id: number) => `kafka-${id}`;

/**
 * The transaction coordinator of the router's transactional ids: the leader of `__transaction_state`'s only
 * partition (the stack runs it with one partition).
 */
export const coordinatorNode = (cfg: StackConfig) => leaderOf(cfg, '__transaction_state', 0);

/** SIGKILLs a component and waits until its process is gone. */
export async function kill(cfg: StackConfig, name: string): Promise<void> {
  const pid = killComponent(cfg, name);
  while (pid !== undefined && isAlive(pid)) await new Promise((r) => setTimeout(r, 20));
}

/** Starts a killed component again; a Kafka node also waits until the cluster counts every node. */
export async function restart(cfg: StackConfig, name: string): Promise<void> {
  await startComponent(cfg, name);
  if (name.startsWith('kafka')) {
    const id = Number(name.split('-')[1] ?? '1');
    await waitForKafka(`${cfg.host}:${kafkaNodePorts(cfg, id).port}`, cfg.kafkaNodes, 120_000);
  }
}

/** Stops a component with its stop signal (its shutdown hook runs: Azurite saves its tables) and starts it again. */
export async function restartGracefully(cfg: StackConfig, name: string, downMs: number): Promise<void> {
  await stopOne(cfg, name);
  await new Promise((r) => setTimeout(r, downMs));
  await startComponent(cfg, name);
}

/** Makes a CRM simulator unreachable for `ms` (connections reset); it keeps the records it stored. */
export async function away(cfg: StackConfig, simulator: string, ms: number): Promise<void> {
  const dispatcher = new Agent({ connect: { ca: readFileSync(join(simulatorTlsDir(cfg), 'ca.pem'), 'utf8') } });
  const res = await fetch(`https://${cfg.host}:${cfg.simulatorPorts[simulator]}/_away`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ms }),
    dispatcher,
  });
  if (res.status !== 200) throw new Error(`${simulator} simulator answered ${res.status} to /_away`);
}
