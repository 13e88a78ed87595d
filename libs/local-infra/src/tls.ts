// @peculiar/x509 resolves its providers through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

type KeyPair = webcrypto.CryptoKeyPair;

/** A certificate authority made for one run of the simulators, and a server certificate it signed. */
export interface SimulatorTls {
  /** PEM of the CA: clients trust it through NODE_EXTRA_CA_CERTS; nothing turns verification off. */
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)?.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * A fresh CA and a server certificate for `hosts` (IP addresses and DNS names), valid for `validDays`. A new CA per
 * start means no private key is ever committed or reused; the stack writes the CA's PEM where the sinks read it.
 */
export async function generateTls(
  hosts: readonly string[] = ['127.0.0.1', 'localhost'],
  validDays = 1,
): Promise<SimulatorTls> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + validDays * 24 * 3600_000);
  const caKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=leadflow simulators CA',
    notBefore,
    notAfter,
    keys: caKeys as KeyPair,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serverKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair;
  const isIp = (h: string) => /^[\d.]+$/.test(h) || h.includes(':');
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: `CN=${hosts[0] ?? 'localhost'}`,
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingKey: caKeys.privateKey,
    publicKey: serverKeys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(hosts.map((h) => ({ type: isIp(h) ? 'ip' : 'dns', value: h }))),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', serverKeys.privateKey);
  return { caPem: ca.toString('pem') + '\n', certPem: cert.toString('pem') + '\n', keyPem: pem('PRIVATE KEY', pkcs8) };
}

/** Writes the material as ca.pem, cert.pem and key.pem into `dir` (the key readable by the owner only). */
export function writeTls(dir: string, tls: SimulatorTls): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ca.pem'), tls.caPem);
  writeFileSync(join(dir, 'cert.pem'), tls.certPem);
  writeFileSync(join(dir, 'key.pem'), tls.keyPem, { mode: 0o600 });
}

export function readTls(dir: string): SimulatorTls {
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { caPem: read('ca.pem'), certPem: read('cert.pem'), keyPem: read('key.pem') };
}

/**
 * A CA bundle for NODE_EXTRA_CA_CERTS: the CA of `dir` plus whatever bundle the environment already names.
 * Replacing the variable instead would drop CAs the machine relies on (a corporate proxy's, say), and every TLS
 * call of the child through it would fail.
 */
export function extraCaBundle(dir: string, inherited: string | undefined): string {
  const path = join(dir, 'trust.pem');
  let bundle = readFileSync(join(dir, 'ca.pem'), 'utf8');
  if (inherited && inherited !== path) {
    try {
      bundle = `${readFileSync(inherited, 'utf8').trimEnd()}\n${bundle}`;
    } catch {
      // the inherited path does not exist: Node would ignore it as well
    }
  }
  writeFileSync(path, bundle);
  return path;
}

/** A certificate authority whose key is kept (the secured broker's): it issues the broker's and clients' certificates. */
export interface TlsAuthority {
  readonly caPem: string;
  /** PKCS#8 PEM of the CA's private key: written owner-readable only, never committed. */
  readonly caKeyPem: string;
}

export interface IssuedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

function derOf(pemText: string): ArrayBuffer {
  const b64 = pemText.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const bytes = Buffer.from(b64, 'base64');
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

/** A new CA valid for `validDays`, its key exportable so that later certificates can be issued from the files. */
export async function generateAuthority(name: string, validDays = 365): Promise<TlsAuthority> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + validDays * 24 * 3600_000),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { caPem: ca.toString('pem') + '\n', caKeyPem: pem('PRIVATE KEY', pkcs8) };
}

/**
 * A certificate signed by `authority`. `server` certificates name `hosts` (IP addresses and DNS names) and may also
 * authenticate as clients (a broker dials the other brokers with its own certificate under mTLS); `client`
 * certificates name only `subject`.
 */
export async function issueCertificate(
  authority: TlsAuthority,
  o: {
    readonly subject: string;
    readonly usage: 'server' | 'client';
    readonly hosts?: readonly string[];
    readonly validDays?: number;
  },
): Promise<IssuedCertificate> {
  const ca = new x509.X509Certificate(authority.caPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', derOf(authority.caKeyPem), ALG, false, ['sign']);
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair;
  const isIp = (h: string) => /^[\d.]+$/.test(h) || h.includes(':');
  const usages =
    o.usage === 'server'
      ? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]
      : [x509.ExtendedKeyUsage.clientAuth];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(8)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    subject: `CN=${o.subject}`,
    issuer: ca.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + (o.validDays ?? 365) * 24 * 3600_000),
    signingKey: caKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension(usages),
      ...(o.hosts && o.hosts.length > 0
        ? [new x509.SubjectAlternativeNameExtension(o.hosts.map((h) => ({ type: isIp(h) ? 'ip' : 'dns', value: h })))]
        : []),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem') + '\n', keyPem: pem('PRIVATE KEY', pkcs8) };
}
