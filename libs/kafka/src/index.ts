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
export {
  kafkajsSecurity,
  describeKafkaSecurity,
  KafkaSecurityError,
  KAFKA_SECURITY_PROTOCOLS,
  KAFKA_SASL_MECHANISMS,
  PLAINTEXT,
  type KafkaSecurity,
  type KafkaSecurityProtocol,
  type KafkaSaslMechanism,
  type KafkaSaslCredentials,
  type KafkaTlsMaterial,
} from './security';
export {
  aclEntries,
  isAllowed,
  applyAcls,
  kafkaAclsCommands,
  grant,
  type AclGrant,
  type AclOperation,
  type AclPattern,
  type AclResource,
  type KafkaPrincipal,
} from './acls';
export { leadflowPrincipals, PRINCIPALS, type LeadflowPrincipalsOptions, type SinkPrincipalSpec } from './principals';
export { whenApplied } from './applied-barrier';
