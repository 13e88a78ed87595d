import { leadflowError } from '@leadflow/lead-model';
import { DEFAULT_RETRY } from '@leadflow/retry';
import { nextStep } from './next-step';

const fresh = { attempts: 1, startedAt: 0 };
const one = () => 1;

describe('nextStep', () => {
  it('dead-letters configuration and data errors at once, even while shutting down', () => {
    expect(nextStep(leadflowError('TABLE.AUTH_FAILED', 'x'), fresh, 0, DEFAULT_RETRY, false)).toEqual({
      kind: 'dead-letter',
      exhausted: false,
    });
    expect(nextStep(leadflowError('DYNAMICS.LEAD_REJECTED', 'x'), fresh, 0, DEFAULT_RETRY, true).kind).toBe(
      'dead-letter',
    );
  });

  it('retries a transient error with backoff and Retry-After, and gives up when the budget is spent', () => {
    const throttled = leadflowError('DYNAMICS.THROTTLED', 'x', { retryAfterMs: 7_000 });
    expect(nextStep(throttled, fresh, 0, DEFAULT_RETRY, false, one)).toEqual({ kind: 'retry', delayMs: 7_000 });
    const down = leadflowError('HTTPS.SERVER_ERROR', 'x');
    expect(nextStep(down, { attempts: 2, startedAt: 0 }, 0, DEFAULT_RETRY, false, one)).toEqual({
      kind: 'retry',
      delayMs: 1_000,
    });
    expect(nextStep(down, { attempts: 6, startedAt: 0 }, 0, DEFAULT_RETRY, false)).toEqual({
      kind: 'dead-letter',
      exhausted: true,
    });
  });

  it('waits for a quota without spending the budget, and hands the lead back at shutdown', () => {
    const quota = leadflowError('SALESFORCE.DAILY_LIMIT', 'x', { waitUntil: 86_400_000 });
    // Even with the budget long spent, a quota wait is a wait.
    expect(nextStep(quota, { attempts: 99, startedAt: 0 }, 1_000, DEFAULT_RETRY, false)).toEqual({
      kind: 'wait',
      delayMs: 86_399_000,
    });
    expect(nextStep(quota, fresh, 1_000, DEFAULT_RETRY, true)).toEqual({ kind: 'hand-back' });
  });
});
