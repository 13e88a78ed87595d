import { z } from 'zod';
import { defineSink, runSink } from '@leadflow/sink-runtime';
import { httpsSink } from './https.sink';

void runSink(
  defineSink({
    name: 'https-sink',
    // Which non-public addresses the sink may call: `loopback` for the local stack's receiver.
    env: { LEADFLOW_HTTPS_ALLOW: z.enum(['none', 'loopback', 'private']).default('none') },
    create: ({ env }) => httpsSink(env.LEADFLOW_HTTPS_ALLOW),
  }),
);
