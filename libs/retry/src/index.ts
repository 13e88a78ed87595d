export { nextDelay, DEFAULT_RETRY, FOREVER, type RetryPolicy } from './backoff';
export { sleep } from './sleep';
export { retry, type RetryOptions } from './retry';
export { errorSummary } from './error-summary';
