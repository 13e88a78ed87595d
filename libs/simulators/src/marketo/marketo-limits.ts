/**
 * Marketo's per-instance limits, enforced for real: at most 100 calls in any 20 s and 10 calls executing at
 * once ("Marketo Integration Best Practices" and "Error Codes" 606/615,
 * https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/marketo-integration-best-practices).
 * Refused calls count against neither limit.
 */
export interface LimitSettings {
  readonly callsPerWindow: number;
  readonly windowMs: number;
  readonly maxConcurrent: number;
}

export const MARKETO_LIMITS: LimitSettings = { callsPerWindow: 100, windowMs: 20_000, maxConcurrent: 10 };

export class InstanceLimits {
  private readonly accepted: number[] = [];
  private running = 0;
  /** The most calls seen executing at once (for `/_state`). */
  maxConcurrentSeen = 0;

  constructor(
    private readonly limits: LimitSettings = MARKETO_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Admits a call, or names the code that refuses it. The caller must `release()` an admitted call. */
  admit(): 'ok' | '606' | '615' {
    if (this.running >= this.limits.maxConcurrent) return '615';
    const since = this.now() - this.limits.windowMs;
    while (this.accepted.length > 0 && (this.accepted[0] ?? 0) <= since) this.accepted.shift();
    if (this.accepted.length >= this.limits.callsPerWindow) return '606';
    this.accepted.push(this.now());
    this.running++;
    this.maxConcurrentSeen = Math.max(this.maxConcurrentSeen, this.running);
    return 'ok';
  }

  release(): void {
    this.running--;
  }
}
