import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { freePorts, kafkajsClientSecurity, securityMaterial, startKafkaBroker, type RunningBroker } from './index';

const ROOT = resolve(__dirname, '..', '..', '..');

/**
 * The launcher's secured broker with mTLS on top of SCRAM (`clientAuth: 'required'`): a client needs a certificate
 * from the broker's CA and its SCRAM password; either alone is refused.
 */
describe('a secured broker requiring client certificates', () => {
  let dir: string;
  let broker: RunningBroker;
  const sec = () => join(dir, 'secure');

  async function connects(security: Pick<KafkaConfig, 'ssl' | 'sasl'>): Promise<true | string> {
    const admin = new Kafka({
      brokers: [broker.brokers],
      clientId: 'mtls-test',
      connectionTimeout: 3_000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
      ...security,
    }).admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return true;
    } catch (err) {
      return `${(err as { type?: string }).type ?? ''} ${(err as Error).message}`;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadflow-mtls-'));
    const [port = 0, controllerPort = 0] = await freePorts(2);
    broker = await startKafkaBroker({
      libsDir: join(process.env['LEADFLOW_LOCAL_DIR'] ?? join(ROOT, '.local'), 'kafka', 'libs'),
      log4jConfig: join(ROOT, 'tools', 'kafka', 'log4j2.properties'),
      dataDir: join(dir, 'kafka'),
      host: '127.0.0.1',
      port,
      controllerPort,
      detached: false,
      security: { dir: sec(), users: ['alice'], clientAuth: 'required' },
    });
  }, 90_000);

  afterAll(async () => {
    await broker?.process.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets a user in with its certificate and password, and refuses a missing certificate or a wrong password', async () => {
    const alice = kafkajsClientSecurity(sec(), 'alice');
    expect(await connects(alice)).toBe(true);

    const m = securityMaterial(sec());
    const withoutCert = {
      ssl: { rejectUnauthorized: true, ca: [readFileSync(m.caFile, 'utf8')] },
      sasl: alice.sasl,
    } as Pick<KafkaConfig, 'ssl' | 'sasl'>;
    expect(await connects(withoutCert)).not.toBe(true);

    const wrongPassword = {
      ssl: alice.ssl,
      sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'not-the-password' },
    } as Pick<KafkaConfig, 'ssl' | 'sasl'>;
    expect(await connects(wrongPassword)).toMatch(/SASL_AUTHENTICATION_FAILED|authentication/i);

    expect(await connects({})).not.toBe(true);
  });

  it('issues each user a client certificate of its own, its key readable by the owner only', () => {
    const m = securityMaterial(sec());
    const alice = readFileSync(m.clientCertFile('alice'), 'utf8');
    const admin = readFileSync(m.clientCertFile('admin'), 'utf8');
    expect(alice).toContain('BEGIN CERTIFICATE');
    expect(alice).not.toBe(admin);
    for (const key of [m.clientKeyFile('alice'), m.caKeyFile, m.keystoreFile, m.passwordFile('alice')])
      expect(statSync(key).mode & 0o077).toBe(0);
  });
});
