/** An attempt's signal and the end of its clock. */
export interface AttemptSignal {
  readonly signal: AbortSignal;
  /** Stops the attempt's clock; call it once the attempt settled. */
  end(): void;
}

/**
 * The signal of one attempt: aborted with a `TimeoutError` (as `AbortSignal.timeout`'s) after `timeoutMs`, or when
 * one of `also` aborts. Not `AbortSignal.timeout`: its timer cannot be cleared, so every settled attempt's timer still
 * fired `timeoutMs` later and aborted a signal nobody listened to any more — a DOMException and a composite-signal
 * walk per lead, 3–4 % of a delivering sink's CPU.
 */
export function attemptSignal(timeoutMs: number, also: readonly AbortSignal[]): AttemptSignal {
  const clock = new AbortController();
  const timer = setTimeout(
    () => clock.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    timeoutMs,
  );
  timer.unref();
  return { signal: AbortSignal.any([clock.signal, ...also]), end: () => clearTimeout(timer) };
}

/** How long a sink has, after its attempt's signal aborted, to end the attempt itself (with its own error). */
export const ABORT_GRACE_MS = 1_000;

/**
 * The attempt's promise, ended by the runtime if the sink does not end it soon after the signal aborted. The
 * pipeline's liveness must not rest on every sink honouring its signal on every path: once, a pacer that missed an
 * abort kept a batch call open for good, and with it its leads, their in-flight slots and then the whole sink.
 * A sink that honours the signal keeps its own error (a quota wait says how long to wait); one that does not is cut
 * off with a timeout, which every classifier treats as transient. What the sink still does in the background is
 * ignored (a late delivery is harmless: deliveries are idempotent on the lead id).
 */
export function boundedBy<T>(signal: AbortSignal, work: Promise<T>, graceMs = ABORT_GRACE_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(
        () => reject(new DOMException(`the attempt did not end within ${graceMs} ms of its abort`, 'TimeoutError')),
        graceMs,
      );
      timer.unref();
    };
    const done = () => {
      signal.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => (done(), resolve(value)),
      (err: unknown) => (done(), reject(err)),
    );
  });
}
