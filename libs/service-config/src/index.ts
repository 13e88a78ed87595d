export {
  envVar,
  SERVICE_ENV,
  serviceConfig,
  ConfigError,
  loadEnv,
  LOG_LEVELS,
  type LogLevel,
  type ServiceConfig,
} from './env';
