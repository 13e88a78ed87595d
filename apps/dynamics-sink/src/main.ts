import { defineSink, runSink } from '@leadflow/sink-runtime';
import { DYNAMICS_SINK_ENV, tokenProviderOptions } from './dynamics-sink.config';
import { dynamicsSink } from './dynamics.sink';
import { EntraTokenProvider } from './entra-token.provider';

void runSink(
  defineSink({
    name: 'dynamics-sink',
    env: DYNAMICS_SINK_ENV,
    create: ({ env }) => dynamicsSink(new EntraTokenProvider(tokenProviderOptions(env))),
  }),
);
