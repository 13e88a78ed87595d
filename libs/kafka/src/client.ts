import { Kafka, logLevel, type KafkaConfig, type LogEntry, type logCreator } from 'kafkajs';
import { kafkajsSecurity, PLAINTEXT, type KafkaSecurity } from './security';

/** The subset of a structured logger the Kafka client needs (pino's shape). */
export interface KafkaLogSink {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger?: KafkaLogSink;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** kafkajs retry policy; the default suits long-running services (about 20 s of retries). */
  readonly retry?: { readonly retries?: number; readonly initialRetryTime?: number; readonly maxRetryTime?: number };
  /** TLS and SASL, from the service's configuration (`kafkaSecurity`); plaintext when absent (the local stack). */
  readonly security?: KafkaSecurity;
}

/**
 * kafkajs logs every error response at ERROR, including ones it retries as a matter of course. A transaction begun
 * while the previous one's markers are written is answered CONCURRENT_TRANSACTIONS and retried 20 ms later: routine
 * for the router (hundreds a minute under load), so debug. A partition leader or group coordinator that moved is
 * retried too, but says the cluster changed: warn. Everything else keeps kafkajs's level.
 */
const ROUTINE = /another concurrent operation on the same transaction/;
const CLUSTER_CHANGED =
  /not the correct coordinator|not the leader for that topic-partition|leadership election|coordinator is loading|coordinator is not available/;

function levelOf(level: logLevel, text: string, error: unknown): logLevel {
  if (level !== logLevel.ERROR) return level;
  const said = `${text} ${typeof error === 'string' ? error : ''}`;
  if (ROUTINE.test(said)) return logLevel.DEBUG;
  if (CLUSTER_CHANGED.test(said)) return logLevel.WARN;
  return level;
}

/**
 * kafkajs log lines go through our structured logger. Only the namespace, message and a few safe
 * fields are kept: kafkajs never logs record values, but we do not forward arbitrary extras either.
 */
function bridge(sink: KafkaLogSink): logCreator {
  return () => (entry: LogEntry) => {
    const { namespace, log } = entry;
    const { message, broker, groupId, topic, error, retryCount } = log as Record<string, unknown>;
    const fields = { component: 'kafkajs', namespace, broker, groupId, topic, error, retryCount };
    const text = String(message);
    switch (levelOf(entry.level, text, error)) {
      case logLevel.ERROR:
        sink.error(fields, text);
        break;
      case logLevel.WARN:
        sink.warn(fields, text);
        break;
      case logLevel.INFO:
        sink.info(fields, text);
        break;
      default:
        sink.debug(fields, text);
    }
  };
}

/**
 * One Kafka client per service, built from the service's validated configuration: the one place where a leadflow
 * process turns its security settings into a connection (TLS, SASL/SCRAM, mTLS).
 */
export function createKafka(options: KafkaClientOptions): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: [...options.brokers],
    ...kafkajsSecurity(options.security ?? PLAINTEXT),
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000, ...options.retry },
    logLevel: options.logger ? logLevel.INFO : logLevel.NOTHING,
    ...(options.logger ? { logCreator: bridge(options.logger) } : {}),
  };
  return new Kafka(config);
}
