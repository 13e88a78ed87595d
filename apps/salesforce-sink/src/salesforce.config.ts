import { envVar } from '@leadflow/service-config';

/** The salesforce-sink's own variables (the common sink variables come from the runtime). */
export const SALESFORCE_SINK_ENV = {
  /** Web-to-Lead requests per org and UTC day; Salesforce's limit is 500 unless the org had it raised. */
  LEADFLOW_SALESFORCE_WEB_TO_LEAD_DAILY_LIMIT: envVar.int(1, 1_000_000, 500),
  /** Connected-app sessions kept (one per login URL, consumer key and secret). */
  LEADFLOW_SALESFORCE_TOKEN_CACHE_SIZE: envVar.int(1, 100_000, 1_000),
};
