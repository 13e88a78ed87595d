import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..', '..');

interface Call {
  readonly clients: readonly { readonly spanId: string; readonly attributes: readonly string[] }[];
  readonly traceparent: string | null;
}

/**
 * startClientSpan beside the real HTTP instrumentation, as every service runs it (in a plain Node process: jest's
 * module registry keeps the instrumentations from patching node:http).
 */
describe('hand-made CLIENT spans and the HTTP instrumentation', () => {
  let calls: { marked: Call; unmarked: Call };

  beforeAll(async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', '@swc-node/register', 'libs/observability/src/test/instrumented-calls.int-harness.ts'],
      { cwd: ROOT },
    );
    calls = JSON.parse(stdout) as typeof calls;
  }, 60_000);

  it('traces a call marked TRACED_BY_CALLER once, with the span its caller made, never the query', () => {
    expect(calls.marked.clients).toEqual([
      {
        spanId: expect.any(String),
        attributes: ['http.request.method', 'http.response.status_code', 'server.address', 'server.port', 'url.full'],
      },
    ]);
    expect(calls.marked.traceparent).toContain(calls.marked.clients[0]?.spanId);
  });

  it('still leaves an unmarked call to the instrumentation', () => {
    expect(calls.unmarked.clients).toHaveLength(1);
    expect(calls.unmarked.clients[0]?.attributes).toContain('network.peer.address');
    expect(calls.unmarked.traceparent).toContain(calls.unmarked.clients[0]?.spanId);
  });
});
