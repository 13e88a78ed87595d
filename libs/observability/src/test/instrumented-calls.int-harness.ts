import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOnSampler, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { endClientSpan, startClientSpan } from '../http-client';
import { TRACED_BY_CALLER } from '../http-marker';
import { httpInstrumentations, tracer } from '../tracing';

/**
 * Plain Node (not jest, whose module registry the instrumentations cannot patch): the HTTP instrumentation as every
 * service configures it, one call marked TRACED_BY_CALLER with its own CLIENT span, one unmarked, each inside a
 * span. Prints, per call, the CLIENT spans recorded and the traceparent the receiver got.
 */
async function main(): Promise<void> {
  const exporter = new InMemorySpanExporter();
  const sdk = new NodeSDK({
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    instrumentations: httpInstrumentations(),
    autoDetectResources: false,
  });
  sdk.start();
  // As startTracing does: node:http is patched where it is required after the SDK started.
  const http = require('node:http') as typeof import('node:http');
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x?key=secret`);
  const call = (options: import('node:http').RequestOptions) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(url, options, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  const report = async (marked: boolean) => {
    exporter.reset();
    received.length = 0;
    await tracer().startActiveSpan('process', async (lead) => {
      if (marked) {
        const headers: Record<string, string> = {};
        const span = startClientSpan('GET', url, headers);
        endClientSpan(span, await call({ headers, [TRACED_BY_CALLER]: true } as import('node:http').RequestOptions));
      } else {
        await call({});
      }
      lead.end();
    });
    const clients = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);
    return {
      clients: clients.map((s) => ({ spanId: s.spanContext().spanId, attributes: Object.keys(s.attributes).sort() })),
      traceparent: received[0]?.['traceparent'] ?? null,
    };
  };
  const out = { marked: await report(true), unmarked: await report(false) };
  server.close();
  await sdk.shutdown();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`instrumented calls failed: ${String(err)}\n`);
  process.exit(1);
});
