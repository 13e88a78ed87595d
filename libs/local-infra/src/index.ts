export { freePort, freePorts, isPortOpen, waitUntil } from './ports';
export { spawnLogged, isAlive, stopProcessGroup, pidFile, type SpawnedProcess, type SpawnOptions } from './processes';
export {
  startKafkaBroker,
  startKafkaCluster,
  startKafkaNode,
  waitForKafka,
  kafkaAnswers,
  serverProperties,
  probeSecurity,
  type KafkaClientSecurity,
  type KafkaBrokerOptions,
  type KafkaClusterOptions,
  type KafkaJvm,
  type KafkaNodeSpec,
  type RunningBroker,
  type RunningCluster,
  type RunningNode,
} from './kafka-broker';
export {
  startAzurite,
  AZURITE_STOP_SIGNAL,
  azuriteAnswers,
  azuriteConnectionString,
  azuriteTableEndpoint,
  AZURITE_ACCOUNT,
  AZURITE_KEY,
  type AzuriteOptions,
} from './azurite';
export {
  generateTls,
  writeTls,
  readTls,
  extraCaBundle,
  generateAuthority,
  issueCertificate,
  type SimulatorTls,
  type TlsAuthority,
  type IssuedCertificate,
} from './tls';
export { startMailpit, mailpitAnswers, mailpitTlsFiles, MAILPIT_BIN, type MailpitOptions } from './mailpit';
export {
  KAFKA_ADMIN_USER,
  prepareKafkaSecurity,
  securityMaterial,
  kafkajsClientSecurity,
  type KafkaBrokerSecurity,
  type KafkaSecurityMaterial,
} from './kafka-security';
