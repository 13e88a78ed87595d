export { createKafka, type KafkaClientOptions, type KafkaLogSink } from './client';
export { ensureTopics, waitForTopicLeaders, type TopicSpec } from './topics';
export { headersToStrings } from './headers';
export { Coalescer, CoalescerClosedError, type CoalescerOptions } from './coalescer';
export {
  createProducer,
  assertFailoverSafeProducePath,
  UnpatchedKafkaClientError,
  type LeadflowProducerOptions,
} from './producer';
export { trackConsumerLag } from './consumer-lag';
