import { createServer, Socket } from 'node:net';

/**
 * Ports handed out below the kernel's ephemeral range (Linux: 32768–60999), where `listen(0)` never lands: a port
 * asked of the kernel and released is free for any other process's `listen(0)` until our service binds it, and with
 * many tests starting servers at once one did take it (a stack test's table sink found its port in use).
 */
const PICK_FROM = 15_000;
const PICK_TO = 32_000;

/** jest workers (by `JEST_WORKER_ID`, inherited by what a test spawns) get slices of their own; see `pickRange`. */
const WORKER_SLICES = 4;
const SHARED_SLICE = 3_000;

/**
 * The range a process picks from. A port picked and released is still free for anyone's pick until our service
 * binds it, so two jest workers starting stacks at the same moment could pick the same one (CI: a 3-node cluster's
 * broker took the port another test's stack had picked for ingest). Each worker picks from its own slice; anything
 * else (jest's global setup, `./dev up`, benches) from the first.
 */
export function pickRange(env: NodeJS.ProcessEnv = process.env): { from: number; to: number } {
  const worker = Number(env['JEST_WORKER_ID']);
  if (!Number.isInteger(worker) || worker < 1) return { from: PICK_FROM, to: PICK_FROM + SHARED_SLICE };
  const size = Math.floor((PICK_TO - PICK_FROM - SHARED_SLICE) / WORKER_SLICES);
  const from = PICK_FROM + SHARED_SLICE + ((worker - 1) % WORKER_SLICES) * size;
  return { from, to: from + size };
}

function tryListen(port: number, host: string): Promise<ReturnType<typeof createServer> | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * `count` free ports, all different, chosen at random below the ephemeral range (see above); each is held open until
 * every one is found (asking for one port at a time can give the same port twice, since a closed port is free again).
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: ReturnType<typeof createServer>[] = [];
  const ports: number[] = [];
  const { from, to } = pickRange();
  try {
    for (let tries = 0; ports.length < count; tries++) {
      if (tries > count * 50) throw new Error(`no ${count} free ports found in ${from}–${to} on ${host}`);
      const port = from + Math.floor(Math.random() * (to - from));
      if (ports.includes(port)) continue;
      const server = await tryListen(port, host);
      if (!server) continue;
      servers.push(server);
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

/** A free TCP port on the given host (for per-run test brokers and emulators); see `freePorts`. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await freePorts(1, host);
  if (port === undefined) throw new Error('could not obtain a free port');
  return port;
}

/** True when something accepts TCP connections on host:port within the timeout. */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/** Polls `probe` until it resolves true, or throws after `timeoutMs` with `what` in the message. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
