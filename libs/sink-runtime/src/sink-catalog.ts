import type { DestinationType } from '@leadflow/lead-model';

/**
 * Every sink service, declared once: its one name (app folder, service name, consumer group `leadflow-<name>`,
 * dead-letter `leadflow.sink` header, port variable), the destination type it delivers and its default ops port.
 * The local stack, docker-compose.yml and the docs are derived from this list.
 */
export const SINK_SERVICES = [
  { name: 'table-sink', type: 'azure-table', defaultPort: 8082 },
  { name: 'https-sink', type: 'https', defaultPort: 8083 },
  { name: 'dynamics-sink', type: 'dynamics', defaultPort: 8084 },
  { name: 'salesforce-sink', type: 'salesforce', defaultPort: 8085 },
  { name: 'marketo-sink', type: 'marketo', defaultPort: 8086 },
] as const satisfies readonly { name: string; type: DestinationType; defaultPort: number }[];

export type SinkService = (typeof SINK_SERVICES)[number];
export type SinkName = SinkService['name'];
export type SinkTypeOf<N extends SinkName> = Extract<SinkService, { name: N }>['type'];

export function sinkService<N extends SinkName>(name: N): Extract<SinkService, { name: N }> {
  const found = SINK_SERVICES.find((s) => s.name === name);
  if (!found) throw new Error(`unknown sink ${name}`);
  return found as Extract<SinkService, { name: N }>;
}

/** `table-sink` → `LEADFLOW_TABLE_SINK_PORT`. */
export function sinkPortVariable(name: SinkName): string {
  return `LEADFLOW_${name.replace(/-/g, '_').toUpperCase()}_PORT`;
}
