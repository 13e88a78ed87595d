import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '@leadflow/local-infra';

const LOCK = join(tmpdir(), 'leadflow-stack-tests.lock');
const POLL_MS = 500;

/**
 * Waits until no other test of this machine runs a whole stack, then holds the turn until the returned release is
 * called (or this process exits). A stack is a broker or three, Azurite, nine services and the simulators: two at
 * once share two cores, and each one's timings (a failover's window, a start's deadline) become the other's load (a
 * CI run where the failover test ran beside another stack saw its ingest accept 187 leads, where it accepts 330–720
 * alone). The turn is a directory made atomically, with the holder's pid in it; a turn whose holder is dead is taken
 * over. After `maxWaitMs` the test goes on anyway: slower beats a hung run.
 */
export async function oneStackAtATime(maxWaitMs = 600_000): Promise<() => void> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      const release = () => {
        process.off('exit', release);
        if (holder() === process.pid) rmSync(LOCK, { recursive: true, force: true });
      };
      process.on('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = holder();
    // A dead holder's turn is over; so is one without a pid after 10 s (its holder died between mkdir and writing it).
    if (pid !== undefined ? !isAlive(pid) : ageMs() > 10_000) rmSync(LOCK, { recursive: true, force: true });
    if (Date.now() > deadline) return () => undefined;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function holder(): number | undefined {
  try {
    const pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function ageMs(): number {
  try {
    return Date.now() - statSync(LOCK).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * In a describe block that starts a whole stack, before its own hooks: its tests wait for their turn and give it
 * back when the block ends.
 */
export function takeStackTurn(): void {
  let release: (() => void) | undefined;
  beforeAll(async () => {
    release = await oneStackAtATime();
  }, 660_000);
  afterAll(() => release?.());
}
