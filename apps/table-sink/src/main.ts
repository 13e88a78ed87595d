import { defineSink, runSink } from '@leadflow/sink-runtime';
import { tableSink } from './table.sink';

void runSink(defineSink({ name: 'table-sink', create: () => tableSink() }));
