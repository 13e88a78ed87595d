import { runSink } from '@leadflow/sink-runtime';
import { tableSink } from './table.sink';

runSink({
  type: 'azure-table',
  portVariable: 'LEADFLOW_TABLE_SINK_PORT',
  defaultPort: 8082,
  createSink: () => tableSink(),
}).catch((err: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', service: 'azure-table-sink', msg: 'table-sink failed to start', error: err instanceof Error ? err.message : String(err) })}\n`,
  );
  process.exit(1);
});
