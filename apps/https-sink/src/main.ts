import { runSink } from '@leadflow/sink-runtime';
import { readHttpsSinkConfig } from './https-sink.config';
import { httpsSink } from './https.sink';

const { allow } = readHttpsSinkConfig();
runSink({
  type: 'https',
  portVariable: 'LEADFLOW_HTTPS_SINK_PORT',
  defaultPort: 8083,
  createSink: () => httpsSink(allow),
}).catch((err: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', service: 'https-sink', msg: 'https-sink failed to start', error: err instanceof Error ? err.message : String(err) })}\n`,
  );
  process.exit(1);
});
