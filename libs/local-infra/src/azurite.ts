import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { spawnLogged, type SpawnedProcess } from './processes';
import { waitUntil } from './ports';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function azuriteTableEndpoint(host: string, port: number): string {
  return `http://${host}:${port}/${AZURITE_ACCOUNT}`;
}

/** A connection string for the emulator, in the form publishers paste for a real account. */
export function azuriteConnectionString(host: string, port: number): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=${azuriteTableEndpoint(host, port)};`;
}

export interface AzuriteOptions {
  readonly host: string;
  readonly port: number;
  /** Workspace folder; omitted → in-memory (a test run). */
  readonly location?: string;
  readonly logFile: string;
  readonly detached: boolean;
  readonly nodeBin?: string;
  readonly startTimeoutMs?: number;
}

/** Azurite answers any HTTP request on its port once it is serving (400 for a bare GET). */
export function azuriteAnswers(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host, port, path: `/${AZURITE_ACCOUNT}/Tables`, method: 'GET', timeout: timeoutMs },
      (res) => {
        res.resume();
        resolve(res.statusCode !== undefined);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * Azurite's Table service saves its tables every 5 s and on SIGINT, its only shutdown hook: SIGTERM ends it at once
 * and loses what it stored since the last save (the chaos suite found 18 rows gone after a restart).
 */
export const AZURITE_STOP_SIGNAL: NodeJS.Signals = 'SIGINT';

export async function startAzurite(o: AzuriteOptions): Promise<SpawnedProcess> {
  const bin = require.resolve('azurite/dist/src/table/main.js');
  const args = [
    bin,
    '--tableHost',
    o.host,
    '--tablePort',
    String(o.port),
    '--silent',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
  ];
  if (o.location) {
    mkdirSync(o.location, { recursive: true });
    args.push('--location', o.location);
  } else {
    args.push('--inMemoryPersistence');
  }
  const proc = spawnLogged({
    command: o.nodeBin ?? process.execPath,
    args,
    logFile: o.logFile,
    detached: o.detached,
    stopSignal: AZURITE_STOP_SIGNAL,
  });
  try {
    await waitUntil(`Azurite on ${o.host}:${o.port}`, () => azuriteAnswers(o.host, o.port), o.startTimeoutMs ?? 30_000);
  } catch (err) {
    await proc.stop(2_000);
    throw new Error(`${(err as Error).message}; see ${o.logFile}`);
  }
  return proc;
}
