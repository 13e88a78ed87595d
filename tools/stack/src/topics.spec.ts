import { TOPIC_SPECS, Topics } from '@leadflow/lead-model';
import { topicOptionsFromEnv, topicSpecs } from './topics';

describe('the topics one-shot options', () => {
  it('reads partition counts and replication from LEADFLOW_TOPICS_* and names a bad one', () => {
    expect(topicOptionsFromEnv({})).toEqual({});
    expect(
      topicOptionsFromEnv({
        LEADFLOW_TOPICS_REPLICATION_FACTOR: '3',
        LEADFLOW_TOPICS_INGESTED_PARTITIONS: '12',
        LEADFLOW_TOPICS_ROUTE_PARTITIONS: '',
      }),
    ).toEqual({ replicationFactor: 3, ingestedPartitions: 12 });
    expect(() => topicOptionsFromEnv({ LEADFLOW_TOPICS_ROUTE_PARTITIONS: '0' })).toThrow(
      'LEADFLOW_TOPICS_ROUTE_PARTITIONS must be an integer from 1 to 1000',
    );
  });

  it('changes only the partitions of leads.ingested and the route topics', () => {
    const specs = topicSpecs({ ingestedPartitions: 12, routePartitions: 24 });
    expect(specs.find((t) => t.name === Topics.ingested)?.partitions).toBe(12);
    expect(specs.find((t) => t.name === Topics.route('marketo'))?.partitions).toBe(24);
    expect(specs.find((t) => t.name === Topics.delivered)).toEqual(
      TOPIC_SPECS.find((t) => t.name === Topics.delivered),
    );
    expect(topicSpecs()).toEqual(TOPIC_SPECS);
  });
});
