import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnLogged, waitUntil, type SpawnedProcess } from '@leadflow/local-infra';

/** Built by `./dev setup` (tools/go-tools/setup.sh: Jaeger v1.75.0 from the Go module proxy). */
export const jaegerBin = (root: string): string => join(root, '.local', 'go-tools', 'bin', 'jaeger');

export interface JaegerPorts {
  readonly host: string;
  /** OTLP/HTTP receiver: services export to http://host:otlpPort (OTEL_EXPORTER_OTLP_ENDPOINT). */
  readonly otlpPort: number;
  /** The UI and the query API (`/api/traces/<trace id>`). */
  readonly queryPort: number;
  /** The query service's gRPC port (unused, but it listens: bound to loopback too). */
  readonly grpcPort: number;
}

/**
 * Jaeger (v2, all in one, memory storage) bound to loopback only. Without a configuration it serves its UI and query
 * API on port 16686 of every interface; this one names every listener's address. No self-metrics listener (it
 * would take port 8888 of every interface).
 */
export function jaegerConfig(p: JaegerPorts): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: ${p.host}:${p.queryPort}
    grpc:
      endpoint: ${p.host}:${p.grpcPort}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
receivers:
  otlp:
    protocols:
      http:
        endpoint: ${p.host}:${p.otlpPort}
processors:
  batch:
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
}

/** Starts Jaeger with that configuration; resolves once its query API answers. */
export async function startJaeger(o: {
  root: string;
  dir: string;
  ports: JaegerPorts;
  detached: boolean;
}): Promise<SpawnedProcess> {
  const bin = jaegerBin(o.root);
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run ./dev setup (it builds Jaeger v1.75.0 with go)`);
  mkdirSync(o.dir, { recursive: true });
  const config = join(o.dir, 'jaeger.yaml');
  writeFileSync(config, jaegerConfig(o.ports));
  const proc = spawnLogged({
    command: bin,
    args: ['--config', config],
    logFile: join(o.dir, 'jaeger.log'),
    // Its own query service would trace itself to an OTLP endpoint on localhost:4317.
    env: { ...process.env, OTEL_TRACES_EXPORTER: 'none' },
    detached: o.detached,
  });
  await waitUntil(
    `Jaeger query API on port ${o.ports.queryPort}`,
    () =>
      fetch(`http://${o.ports.host}:${o.ports.queryPort}/api/services`).then(
        (r) => r.ok,
        () => false,
      ),
    60_000,
    250,
  );
  return proc;
}

/** A trace as Jaeger's query API answers it: spans with their service, operation, duration and parent. */
export interface JaegerSpan {
  readonly spanID: string;
  readonly operationName: string;
  readonly service: string;
  readonly startTime: number;
  /** Microseconds. */
  readonly duration: number;
  readonly parentSpanID: string | undefined;
  readonly tags: Readonly<Record<string, unknown>>;
}

export async function jaegerTrace(base: string, traceId: string): Promise<JaegerSpan[]> {
  const res = await fetch(`${base}/api/traces/${traceId}`);
  if (!res.ok) return [];
  const body = (await res.json()) as {
    data?: {
      spans: {
        spanID: string;
        operationName: string;
        processID: string;
        startTime: number;
        duration: number;
        references?: { refType: string; spanID: string }[];
        tags?: { key: string; value: unknown }[];
      }[];
      processes: Record<string, { serviceName: string }>;
    }[];
  };
  const t = body.data?.[0];
  if (!t) return [];
  return t.spans
    .map((s) => ({
      spanID: s.spanID,
      operationName: s.operationName,
      service: t.processes[s.processID]?.serviceName ?? '?',
      startTime: s.startTime,
      duration: s.duration,
      parentSpanID: (s.references?.find((r) => r.refType === 'CHILD_OF') ?? s.references?.[0])?.spanID,
      tags: Object.fromEntries((s.tags ?? []).map((x) => [x.key, x.value])),
    }))
    .sort((a, b) => a.startTime - b.startTime);
}
