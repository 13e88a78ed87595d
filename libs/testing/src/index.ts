export {
  uniqueName,
  uniqueTableName,
  testBrokers,
  testKafka,
  testTablesConnectionString,
  testTls,
  createTestTopics,
  readTopic,
  type ReadRecord,
  type ReadOptions,
} from './kafka-helpers';
export { startTestInfra, type TestInfra } from './infra';
