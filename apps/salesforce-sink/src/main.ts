import { defineSink, runSink } from '@leadflow/sink-runtime';
import { SALESFORCE_SINK_ENV } from './salesforce.config';
import { salesforceSink } from './salesforce.sink';

void runSink(
  defineSink({
    name: 'salesforce-sink',
    env: SALESFORCE_SINK_ENV,
    create: ({ env, logger, registry }) =>
      salesforceSink({
        registry,
        logger,
        webToLeadDailyLimit: env.LEADFLOW_SALESFORCE_WEB_TO_LEAD_DAILY_LIMIT,
        tokenCacheSize: env.LEADFLOW_SALESFORCE_TOKEN_CACHE_SIZE,
      }),
  }),
);
