export {
  envVar,
  SERVICE_ENV,
  serviceConfig,
  otlpTracesEndpoint,
  ConfigError,
  loadEnv,
  LOG_LEVELS,
  type LogLevel,
  type ServiceConfig,
} from './env';
export {
  KAFKA_SECURITY_ENV,
  kafkaSecurityConfig,
  kafkaSecurityFromEnv,
  type KafkaSecurityEnv,
  type ReadSecretFile,
} from './kafka-security';
