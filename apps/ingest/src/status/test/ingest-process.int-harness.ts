import { createLogger } from '@leadflow/observability';
import { createIngest, type IngestTopics } from '../../composition';
import { loadIngestConfig } from '../../ingest.config';

/**
 * The ingest as main.ts runs it, in a process a test can SIGKILL, on the test's own topics (LEADFLOW_TEST_TOPICS,
 * JSON) and client id (LEADFLOW_TEST_CLIENT_ID: instances with the same one share the aggregators' group and
 * transactional ids, as production instances do).
 */
async function main(): Promise<void> {
  const topics = JSON.parse(process.env['LEADFLOW_TEST_TOPICS'] ?? '') as IngestTopics;
  const config = loadIngestConfig();
  const logger = createLogger({ service: 'ingest-test-process', level: config.logLevel });
  const ingest = await createIngest({
    config,
    topics,
    logger,
    clientId: process.env['LEADFLOW_TEST_CLIENT_ID'] ?? 'ingest-test-process',
  });
  await ingest.listen();
  ingest.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`ingest test process failed: ${String(err)}\n`);
  process.exit(1);
});
