export { freePort, isPortOpen, waitUntil } from './ports';
export { spawnLogged, isAlive, stopProcessGroup, pidFile, type SpawnedProcess, type SpawnOptions } from './processes';
export {
  startKafkaBroker,
  kafkaAnswers,
  serverProperties,
  type KafkaBrokerOptions,
  type RunningBroker,
} from './kafka-broker';
export {
  startAzurite,
  azuriteAnswers,
  azuriteConnectionString,
  azuriteTableEndpoint,
  AZURITE_ACCOUNT,
  AZURITE_KEY,
  type AzuriteOptions,
} from './azurite';
export { generateTls, writeTls, readTls, type SimulatorTls } from './tls';
