import { extraCaBundle } from '@leadflow/local-infra';
import { startTestInfra, type TestInfra } from './infra';

declare global {
  // Shared between Jest's global setup and teardown (same process).
  var __leadflowInfra: TestInfra | undefined;
}

export default async function globalSetup(): Promise<void> {
  const t0 = Date.now();
  const infra = await startTestInfra();
  globalThis.__leadflowInfra = infra;
  // Test workers are forked after global setup and inherit these.
  process.env['KAFKA_BROKERS'] = infra.kafkaBrokers;
  process.env['AZURE_TABLES_CONNECTION_STRING'] = infra.azuriteConnectionString;
  // Workers and the services tests spawn trust the run's simulator CA the way production trusts a private CA;
  // tools/jest/trust-test-ca.js does the same for a run in band (NODE_EXTRA_CA_CERTS is read at process start).
  process.env['LEADFLOW_TEST_TLS_DIR'] = infra.tlsDir;
  process.env['NODE_EXTRA_CA_CERTS'] = extraCaBundle(infra.tlsDir, process.env['NODE_EXTRA_CA_CERTS']);
  process.stderr.write(
    `\n[int] Kafka ${infra.kafkaBrokers} (${infra.source}) and Azurite ready in ${Date.now() - t0} ms\n`,
  );
}
