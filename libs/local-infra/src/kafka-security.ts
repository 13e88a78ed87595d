import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KafkaConfig } from 'kafkajs';
import { generateAuthority, issueCertificate, type TlsAuthority } from './tls';

/**
 * The broker's own principal: inter-broker and controller traffic, and the operator's admin client (topics, ACLs).
 * It is the only super user; every other principal gets exactly the ACLs it is granted.
 */
export const KAFKA_ADMIN_USER = 'admin';

/** SCRAM users are Kafka user names: kept to characters that need no escaping in a JAAS line or a command. */
const USER_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** A broker (or cluster) with a SASL_SSL listener, SCRAM-SHA-512 users and the StandardAuthorizer. */
export interface KafkaBrokerSecurity {
  /**
   * Holds the TLS material (`tls/`: ca.pem, cert.pem, key.pem, keystore.pem) and one password file per user
   * (`users/<name>.password`, owner-readable). Made once, reused at every start.
   */
  readonly dir: string;
  /** SCRAM-SHA-512 users created at format time besides the admin (one per service principal). */
  readonly users: readonly string[];
  /**
   * `required` asks every client for a certificate signed by the CA as well (mTLS on top of SCRAM); the principal
   * stays the SCRAM user. Default `none`.
   */
  readonly clientAuth?: 'required' | 'none';
}

/** Where the launcher put what a client of a secured broker needs. */
export interface KafkaSecurityMaterial {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Kafka's PEM key store: the broker's private key followed by its certificate. */
  readonly keystoreFile: string;
  /** The CA's key, kept (owner-readable) to issue client certificates for users added later. */
  readonly caKeyFile: string;
  passwordFile(user: string): string;
  password(user: string): string;
  /** mTLS: the user's client certificate and key (made when the broker requires client certificates). */
  clientCertFile(user: string): string;
  clientKeyFile(user: string): string;
}

export function securityMaterial(dir: string): KafkaSecurityMaterial {
  const tls = join(dir, 'tls');
  const passwordFile = (user: string): string => {
    if (!USER_NAME.test(user)) throw new Error(`'${user}' is not a SCRAM user name this launcher makes`);
    return join(dir, 'users', `${user}.password`);
  };
  const clientFile = (user: string, suffix: string): string => {
    passwordFile(user); // the same check of the name
    return join(tls, 'clients', `${user}${suffix}`);
  };
  return {
    caFile: join(tls, 'ca.pem'),
    certFile: join(tls, 'cert.pem'),
    keyFile: join(tls, 'key.pem'),
    keystoreFile: join(tls, 'keystore.pem'),
    caKeyFile: join(tls, 'ca-key.pem'),
    passwordFile,
    password: (user) => readFileSync(passwordFile(user), 'utf8').trim(),
    clientCertFile: (user) => clientFile(user, '.pem'),
    clientKeyFile: (user) => clientFile(user, '-key.pem'),
  };
}

/**
 * Makes the CA, the brokers' certificate (for `host` and localhost), a random password per user and, when the broker
 * requires client certificates, one per user, the first time; later starts reuse them (a formatted broker knows its
 * users' credentials already) and add what a new user lacks. Returns where they are.
 */
export async function prepareKafkaSecurity(s: KafkaBrokerSecurity, host: string): Promise<KafkaSecurityMaterial> {
  const m = securityMaterial(s.dir);
  mkdirSync(join(s.dir, 'tls', 'clients'), { recursive: true, mode: 0o700 });
  if (!existsSync(m.keystoreFile)) {
    const authority = await generateAuthority('leadflow local Kafka CA');
    writeFileSync(m.caFile, authority.caPem);
    writeFileSync(m.caKeyFile, authority.caKeyPem, { mode: 0o600 });
    const server = await issueCertificate(authority, {
      subject: host,
      usage: 'server',
      hosts: [...new Set([host, '127.0.0.1', 'localhost'])],
    });
    writeFileSync(m.certFile, server.certPem);
    writeFileSync(m.keyFile, server.keyPem, { mode: 0o600 });
    writeFileSync(m.keystoreFile, `${server.keyPem}${server.certPem}`, { mode: 0o600 });
  }
  if (s.clientAuth === 'required') {
    let authority: TlsAuthority | undefined;
    for (const user of [KAFKA_ADMIN_USER, ...s.users]) {
      if (existsSync(m.clientCertFile(user))) continue;
      if (!existsSync(m.caKeyFile)) throw new Error(`no CA key in ${s.dir} to issue client certificates: remove it`);
      authority ??= { caPem: readFileSync(m.caFile, 'utf8'), caKeyPem: readFileSync(m.caKeyFile, 'utf8') };
      const client = await issueCertificate(authority, { subject: user, usage: 'client' });
      writeFileSync(m.clientKeyFile(user), client.keyPem, { mode: 0o600 });
      writeFileSync(m.clientCertFile(user), client.certPem);
    }
  }
  mkdirSync(join(s.dir, 'users'), { recursive: true, mode: 0o700 });
  for (const user of [KAFKA_ADMIN_USER, ...s.users]) {
    const file = m.passwordFile(user);
    // base64url: no character a JAAS line, a shell or `--add-scram`'s [name=…,password=…] would read specially.
    if (!existsSync(file)) writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  }
  return m;
}

/** The users a formatted node (its folder) was made with: a user added later is reported instead of failing auth. */
export function formattedUsersFile(nodeDir: string): string {
  return join(nodeDir, 'scram-users');
}

/** `--add-scram` arguments of `kafka-storage format`: every user's SCRAM-SHA-512 credential goes into the log. */
export function scramFormatArgs(s: KafkaBrokerSecurity): string[] {
  const m = securityMaterial(s.dir);
  return [KAFKA_ADMIN_USER, ...s.users].flatMap((user) => [
    '--add-scram',
    `SCRAM-SHA-512=[name=${user},password=${m.password(user)}]`,
  ]);
}

/**
 * The listener lines of server.properties for a secured node. Clients and brokers meet on SASL_SSL with SCRAM;
 * the controller listener (loopback, between the nodes only) uses SASL/PLAIN with a static admin entry, because a
 * KRaft controller cannot check SCRAM credentials it has not read from the log yet. Every principal but the admin
 * is subject to ACLs, and a resource without ACLs is closed (`allow.everyone.if.no.acl.found=false`).
 */
export function secureListenerProperties(
  host: string,
  port: number,
  controllerPort: number,
  s: KafkaBrokerSecurity,
): string[] {
  const m = securityMaterial(s.dir);
  const admin = m.password(KAFKA_ADMIN_USER);
  return [
    `listeners=SASL_SSL://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    `advertised.listeners=SASL_SSL://${host}:${port}`,
    'listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=SASL_SSL',
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${KAFKA_ADMIN_USER}" password="${admin}";`,
    'sasl.mechanism.controller.protocol=PLAIN',
    'listener.name.controller.sasl.enabled.mechanisms=PLAIN',
    `listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${KAFKA_ADMIN_USER}" password="${admin}" user_${KAFKA_ADMIN_USER}="${admin}";`,
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${m.keystoreFile}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${m.caFile}`,
    // A broker-wide ssl.client.auth applies to SSL listeners only; a SASL_SSL listener takes it prefixed (KIP-684).
    `listener.name.sasl_ssl.ssl.client.auth=${s.clientAuth ?? 'none'}`,
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    `super.users=User:${KAFKA_ADMIN_USER}`,
    'allow.everyone.if.no.acl.found=false',
  ];
}

/**
 * kafkajs options of a client of the secured broker, as `user` (the admin by default), with the user's client
 * certificate when one was made (mTLS).
 */
export function kafkajsClientSecurity(dir: string, user: string = KAFKA_ADMIN_USER): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const m = securityMaterial(dir);
  const mtls = existsSync(m.clientCertFile(user))
    ? { cert: readFileSync(m.clientCertFile(user), 'utf8'), key: readFileSync(m.clientKeyFile(user), 'utf8') }
    : {};
  return {
    ssl: { rejectUnauthorized: true, ca: [readFileSync(m.caFile, 'utf8')], ...mtls },
    sasl: { mechanism: 'scram-sha-512', username: user, password: m.password(user) },
  };
}
