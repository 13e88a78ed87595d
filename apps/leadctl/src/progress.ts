import { SingleBar } from 'cli-progress';
import type { ReplayProgress } from '@leadflow/dead-letters';
import type { OutStream } from './io';

export interface ProgressReporter {
  update(p: ReplayProgress): void;
  stop(): void;
}

/**
 * A progress bar on a terminal; on anything else (a pipe, a CI log) one plain line per step, so logs stay
 * readable and nothing relies on cursor movement.
 */
export function progressReporter(out: OutStream): ProgressReporter {
  if (out.isTTY) {
    const bar = new SingleBar({
      stream: out as NodeJS.WritableStream,
      format: 'replaying [{bar}] {value}/{total} leads | {percentage}% | {eta_formatted} left',
      hideCursor: true,
      clearOnComplete: false,
    });
    let started = false;
    return {
      update: ({ done, total }) => {
        if (!started) {
          bar.start(total, done);
          started = true;
        } else bar.update(done);
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  return {
    update: ({ done, total }) => void out.write(`replayed ${done}/${total}\n`),
    stop: () => undefined,
  };
}
