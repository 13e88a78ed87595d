export { sinkFixture, testLead, type SinkFixture, type SinkFixtureOptions, type Receipt } from './sink-fixture';
