import { MarketoError, type MarketoEndpoint } from './marketo-errors';

/**
 * Marketo's limits per instance (Munchkin ID), shared by every integration of the instance: 100 calls in any
 * 20 s (606), 10 calls executing at once (615), and a daily quota, 50,000 calls on most subscriptions, that
 * resets at 12:00 AM CST (607) ("Marketo Integration Best Practices",
 * https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/marketo-integration-best-practices).
 */
export interface PacerLimits {
  readonly callsPerWindow: number;
  readonly windowMs: number;
  readonly maxConcurrent: number;
  readonly dailyQuota: number;
}

export const MARKETO_DEFAULT_LIMITS: PacerLimits = {
  callsPerWindow: 100,
  windowMs: 20_000,
  maxConcurrent: 10,
  dailyQuota: 50_000,
};

export interface PacerClock {
  now(): number;
  /** Calls `fn` after `ms`; returns a cancel function. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: PacerClock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pacing timer alone must not keep a stopping sink alive.
    t.unref();
    return () => clearTimeout(t);
  },
};

const HOUR = 3_600_000;

/**
 * The next reset of Marketo's daily quota after `now`: 12:00 AM CST, i.e. 06:00 UTC (Marketo states CST, UTC-6;
 * "Error Codes" 607).
 */
export function nextQuotaReset(now: number): number {
  const day = Math.floor((now - 6 * HOUR) / (24 * HOUR));
  return (day + 1) * 24 * HOUR + 6 * HOUR;
}

export interface Permit {
  /** Call when the call's answer has arrived (or it failed): frees the concurrency slot. */
  release(): void;
}

export interface PacerObserver {
  granted?(munchkinId: string, usedToday: number): void;
}

interface Waiter {
  readonly resolve: (p: Permit) => void;
  readonly reject: (e: unknown) => void;
  readonly endpoint: MarketoEndpoint;
}

/**
 * One instance's pacing. A call occupies a slot of the 20 s window from its start until 20 s after its answer
 * arrived: Marketo counts a call when it arrives, which is after leadflow started it and before the answer came
 * back, so counting from the answer can never put more than the limit into Marketo's window. Waiters are served
 * first come, first served.
 */
class InstancePacer {
  private running = 0;
  /** Answer times of finished calls still inside the window, oldest first. */
  private readonly ends: number[] = [];
  private readonly queue: Waiter[] = [];
  private heldUntil = 0;
  private used = 0;
  private resetAt: number;
  private timerAt = Number.POSITIVE_INFINITY;
  private cancelTimer: (() => void) | undefined;

  constructor(
    private readonly munchkinId: string,
    private readonly limits: PacerLimits,
    private readonly clock: PacerClock,
    private readonly observer: PacerObserver,
  ) {
    this.resetAt = nextQuotaReset(clock.now());
  }

  acquire(endpoint: MarketoEndpoint, signal?: AbortSignal): Promise<Permit> {
    return new Promise<Permit>((resolve, reject) => {
      const since = this.clock.now();
      const waiter: Waiter = {
        endpoint,
        resolve: (p) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(p);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      const ended = () => {
        const now = this.clock.now();
        return new MarketoError(
          endpoint,
          'pacer',
          'wait',
          `waited ${now - since} ms for Marketo's rate or concurrency limit of ${this.munchkinId}; the attempt ended first`,
          { at: now, waitMs: Math.max(1_000, this.waitMs(now)), cause: signal?.reason },
        );
      };
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i === -1) return; // granted already
        this.queue.splice(i, 1);
        reject(ended());
      };
      // An attempt whose time ran out before it got here (behind an earlier call for the same person) is refused at
      // once: its abort event has fired already and would never reach a waiter queued now.
      if (signal?.aborted) return reject(ended());
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Marketo refused a call for its rate or concurrency limit (other integrations share it): start nothing for `ms`. */
  hold(ms: number): void {
    this.heldUntil = Math.max(this.heldUntil, this.clock.now() + ms);
  }

  /** Marketo says the daily quota is spent (607): refuse calls until it resets. */
  exhaust(): void {
    this.rollDay(this.clock.now());
    this.used = Math.max(this.used, this.limits.dailyQuota);
    this.pump();
  }

  usedToday(): number {
    this.rollDay(this.clock.now());
    return this.used;
  }

  private rollDay(now: number): void {
    if (now < this.resetAt) return;
    this.used = 0;
    this.resetAt = nextQuotaReset(now);
  }

  /** How long until the window and any hold allow one more call (0: now; concurrency aside). */
  private waitMs(now: number): number {
    while (this.ends.length > 0 && (this.ends[0] ?? 0) <= now - this.limits.windowMs) this.ends.shift();
    const held = Math.max(0, this.heldUntil - now);
    const excess = this.running + this.ends.length - this.limits.callsPerWindow + 1;
    if (excess <= 0) return held;
    // The excess-th oldest finished call must leave the window; calls still running free no slot until they end.
    const end = this.ends[excess - 1];
    return end === undefined ? Math.max(held, 0) : Math.max(held, end + this.limits.windowMs - now);
  }

  private pump(): void {
    const now = this.clock.now();
    this.rollDay(now);
    while (this.queue.length > 0) {
      if (this.used >= this.limits.dailyQuota) {
        const resetAt = this.resetAt;
        for (const w of this.queue.splice(0))
          w.reject(
            new MarketoError(
              w.endpoint,
              'pacer',
              'quota',
              `leadflow has made ${this.used} calls to ${this.munchkinId} today, its daily quota`,
              { at: now, waitMs: resetAt - now },
            ),
          );
        return;
      }
      if (this.running >= this.limits.maxConcurrent) return; // a release pumps again
      const wait = this.waitMs(now);
      if (wait > 0) return this.wakeIn(wait);
      if (this.running + this.ends.length >= this.limits.callsPerWindow) return; // every slot is a running call: a release pumps again
      const w = this.queue.shift();
      if (!w) return;
      this.grant(w);
    }
  }

  private grant(w: Waiter): void {
    this.running++;
    this.used++;
    this.observer.granted?.(this.munchkinId, this.used);
    let released = false;
    w.resolve({
      release: () => {
        if (released) return;
        released = true;
        this.running--;
        this.ends.push(this.clock.now());
        this.pump();
      },
    });
  }

  private wakeIn(ms: number): void {
    const at = this.clock.now() + ms;
    if (this.timerAt <= at) return;
    this.cancelTimer?.();
    this.timerAt = at;
    this.cancelTimer = this.clock.setTimer(() => {
      this.timerAt = Number.POSITIVE_INFINITY;
      this.cancelTimer = undefined;
      this.pump();
    }, ms);
  }
}

/** Paces calls per Munchkin ID so that 606 and 615 stay rare events rather than the control loop. */
export class MarketoPacer {
  private readonly instances = new Map<string, InstancePacer>();

  constructor(
    private readonly limits: PacerLimits = MARKETO_DEFAULT_LIMITS,
    private readonly clock: PacerClock = systemClock,
    private readonly observer: PacerObserver = {},
  ) {}

  /** Resolves when a call to the instance may start; rejects with a `pacer` MarketoError (quota spent, aborted). */
  acquire(munchkinId: string, endpoint: MarketoEndpoint, signal?: AbortSignal): Promise<Permit> {
    return this.of(munchkinId).acquire(endpoint, signal);
  }

  hold(munchkinId: string, ms: number): void {
    this.of(munchkinId).hold(ms);
  }

  exhaust(munchkinId: string): void {
    this.of(munchkinId).exhaust();
  }

  usedToday(munchkinId: string): number {
    return this.of(munchkinId).usedToday();
  }

  private of(munchkinId: string): InstancePacer {
    const key = munchkinId.toUpperCase();
    let p = this.instances.get(key);
    if (!p) this.instances.set(key, (p = new InstancePacer(key, this.limits, this.clock, this.observer)));
    return p;
  }
}
