export {
  uniqueName,
  uniqueTableName,
  testBrokers,
  testKafka,
  testTablesConnectionString,
  testTls,
  testTlsDir,
  testProcessEnv,
  createTestTopics,
  readTopic,
  type ReadRecord,
  type ReadOptions,
} from './kafka-helpers';
export { startTestInfra, type TestInfra } from './infra';
export { recordSpans, type SpanRecorder } from './span-recorder';
