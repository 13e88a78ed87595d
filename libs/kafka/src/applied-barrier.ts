/**
 * Resolves true once `reached()` holds — checked now and each time the reader calls the checks in `waiters` after
 * applying records — or false after `timeoutMs`. The read-your-writes barrier of a reader that follows a topic into
 * memory (the offer table, ingest's offer status): `reached` compares its applied positions with end offsets.
 */
export function whenApplied(reached: () => boolean, waiters: Set<() => void>, timeoutMs: number): Promise<boolean> {
  if (reached()) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      waiters.delete(check);
      resolve(ok);
    };
    const check = () => {
      if (reached()) done(true);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    waiters.add(check);
  });
}
