import { hostname, userInfo } from 'node:os';
import type { KafkaSecurity } from '@leadflow/kafka';
import { ConfigError, kafkaSecurityFromEnv, otlpTracesEndpoint } from '@leadflow/service-config';
import { CliError, ExitCode } from './exit-codes';

/** The process environment; leadctl reads it here only, and commands get typed settings. */
export const processEnv = (): Readonly<Record<string, string | undefined>> => process.env;

/** The options every command may take (they win over the environment). */
export interface GlobalFlags {
  readonly brokers?: string;
  readonly topicPrefix?: string;
  readonly ingestUrl?: string;
  readonly adminToken?: string;
  readonly ingestToken?: string;
  readonly token?: string;
}

export interface KafkaSettings {
  readonly brokers: readonly string[];
  /** Prepended to every topic name (tests, shared development clusters); empty in production. */
  readonly topicPrefix: string;
  /** TLS and SASL from the same KAFKA_* variables the services read (KAFKA_SECURITY_PROTOCOL, …). */
  readonly security: KafkaSecurity;
}

/** OAuth 2.0 client credentials (RFC 6749 §4.4): leadctl asks the issuer for a signed token, once per run. */
export interface ClientCredentials {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly secret: string;
  /** `<App ID URI>/.default` for Entra. */
  readonly scope: string;
}

/** The ingest API, and either a bearer token given as is or client credentials to get a signed one. */
export interface IngestSettings {
  readonly url: string;
  readonly token?: string;
  readonly client?: ClientCredentials;
}

type Env = Readonly<Record<string, string | undefined>>;
const DEFAULT_BROKERS = '127.0.0.1:9092';
const DEFAULT_INGEST_URL = 'http://127.0.0.1:8080';

const set = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** Brokers from `--brokers`, else KAFKA_BROKERS, else the local stack's; topic prefix likewise. */
export function kafkaSettings(flags: GlobalFlags, env: Env): KafkaSettings {
  const raw = set(flags.brokers) ?? set(env['KAFKA_BROKERS']) ?? DEFAULT_BROKERS;
  const brokers = raw
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  for (const b of brokers)
    if (!/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(b))
      throw new CliError(ExitCode.usage, `--brokers / KAFKA_BROKERS: '${b}' is not host:port`);
  const topicPrefix = set(flags.topicPrefix) ?? set(env['LEADFLOW_TOPIC_PREFIX']) ?? '';
  if (!/^[A-Za-z0-9._-]{0,100}$/.test(topicPrefix))
    throw new CliError(ExitCode.usage, "--topic-prefix / LEADFLOW_TOPIC_PREFIX: letters, digits, '.', '_' or '-' only");
  let security: KafkaSecurity;
  try {
    security = kafkaSecurityFromEnv(env, 'leadctl');
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(ExitCode.usage, err.message);
    throw err;
  }
  return { brokers, topicPrefix, security };
}

/**
 * The ingest API and the token a command needs: the admin token for `offers`, the producer token for
 * `leads`. A missing token is a usage error that names both ways to give it.
 */
export function ingestSettings(flags: GlobalFlags, env: Env, role: 'admin' | 'producer'): IngestSettings {
  const url = set(flags.ingestUrl) ?? set(env['LEADFLOW_INGEST_URL']) ?? DEFAULT_INGEST_URL;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new CliError(ExitCode.usage, `--ingest-url / LEADFLOW_INGEST_URL: '${url}' is not an http(s) URL`);
  }
  const base = url.replace(/\/+$/, '');
  const token =
    (role === 'admin' ? set(flags.adminToken) : set(flags.ingestToken)) ??
    set(flags.token) ??
    set(env['LEADFLOW_TOKEN']) ??
    (role === 'admin' ? set(env['LEADFLOW_ADMIN_TOKEN']) : set(env['LEADFLOW_INGEST_TOKEN']));
  if (token) return { url: base, token };
  const client = clientCredentials(env);
  if (client) return { url: base, client };
  throw new CliError(
    ExitCode.usage,
    role === 'admin'
      ? 'a token is needed: --token or LEADFLOW_TOKEN, LEADFLOW_CLIENT_ID/SECRET with LEADFLOW_OIDC_TOKEN_URL, or --admin-token / LEADFLOW_ADMIN_TOKEN'
      : 'a token is needed: --token or LEADFLOW_TOKEN, LEADFLOW_CLIENT_ID/SECRET with LEADFLOW_OIDC_TOKEN_URL, or --ingest-token / LEADFLOW_INGEST_TOKEN',
  );
}

/** LEADFLOW_OIDC_TOKEN_URL + LEADFLOW_CLIENT_ID + LEADFLOW_CLIENT_SECRET (+ LEADFLOW_OIDC_SCOPE), all or none. */
export function clientCredentials(env: Env): ClientCredentials | undefined {
  const tokenUrl = set(env['LEADFLOW_OIDC_TOKEN_URL']);
  const clientId = set(env['LEADFLOW_CLIENT_ID']);
  const secret = set(env['LEADFLOW_CLIENT_SECRET']);
  if (!tokenUrl && !clientId && !secret) return undefined;
  if (!tokenUrl || !clientId || !secret)
    throw new CliError(
      ExitCode.usage,
      'LEADFLOW_OIDC_TOKEN_URL, LEADFLOW_CLIENT_ID and LEADFLOW_CLIENT_SECRET are set together or not at all',
    );
  return { tokenUrl, clientId, secret, scope: set(env['LEADFLOW_OIDC_SCOPE']) ?? 'api://leadflow/.default' };
}

/** Who replays (`leadflow.replay.by`): `--by`, else LEADFLOW_REPLAY_BY, else user@host. */
export function replayActor(flag: string | undefined, env: Env): string {
  const by = set(flag) ?? set(env['LEADFLOW_REPLAY_BY']);
  if (by) return by.slice(0, 200);
  let user = set(env['USER']) ?? set(env['LOGNAME']);
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return `${user}@${hostname()}`;
}

/**
 * Where leadctl exports its spans (a replay run's): the services' OTLP variables, read the same way. None when
 * unset: leadctl then starts no tracer, so a replayed record carries its dead letter's own `traceparent` and the
 * lead's trace stays whole (a span of leadctl's that is never exported would leave the next hop's parent missing).
 */
export function tracesEndpoint(env: Env): string | undefined {
  const url = otlpTracesEndpoint(env);
  if (url === undefined) return undefined;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new CliError(
      ExitCode.usage,
      `OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '${url}' is not an http(s) URL`,
    );
  }
  return url;
}
