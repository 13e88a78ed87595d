import { defineSink, runSink } from '@leadflow/sink-runtime';
import { MARKETO_ENV, pacerLimits } from './marketo.config';
import { marketoSink } from './marketo.sink';

void runSink(
  defineSink({
    name: 'marketo-sink',
    env: MARKETO_ENV,
    create: ({ env, logger, registry }) =>
      marketoSink({ limits: pacerLimits(env), registry, logger, handoverMs: env.LEADFLOW_MARKETO_HANDOVER_MS }),
  }),
);
