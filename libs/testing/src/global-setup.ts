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
  process.stderr.write(
    `\n[int] Kafka ${infra.kafkaBrokers} (${infra.source}) and Azurite ready in ${Date.now() - t0} ms\n`,
  );
}
