/**
 * kafkajs's request queue at rest, in the style of kafkajs's own specs (the queue alone, fake timers): with nothing
 * pending and no throttle it must not keep a timer running. As published (`kafkajs-upstream`), every check of an
 * empty queue schedules the next one with a negative delay, which timers clamp to 1 ms: a 1 kHz loop per broker
 * connection for the life of the client (tulios/kafkajs#1751). patches/kafkajs+2.2.4.patch schedules a check only
 * when something is pending.
 */
export {}; // a module: the failover spec beside it declares the same helper names

interface RequestQueue {
  pending: unknown[];
  scheduleRequestTimeoutCheck(): void;
  throttledUntil: number;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
}
type RequestQueueClass = new (o: Record<string, unknown>) => RequestQueue;

const load = (pkg: string) => require(`${pkg}/src/network/requestQueue`) as RequestQueueClass;
const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function idleQueue(
  pkg: string,
  enforceRequestTimeout = false,
): { queue: RequestQueue; checks: () => number; connectionChecks: () => number } {
  const RequestQueue = load(pkg);
  let connectionChecks = 0;
  const queue = new RequestQueue({
    maxInFlightRequests: 5,
    requestTimeout: 30_000,
    enforceRequestTimeout,
    clientId: 'spec',
    broker: 'broker-1:9092',
    logger,
    isConnected: () => {
      connectionChecks++;
      return true;
    },
  });
  let checks = 0;
  const check = queue.checkPendingRequests.bind(queue);
  queue.checkPendingRequests = () => {
    checks++;
    check();
  };
  return { queue, checks: () => checks, connectionChecks: () => connectionChecks };
}

describe('kafkajs request queue at rest', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('as published, an empty queue checks itself every millisecond', () => {
    const { queue, checks } = idleQueue('kafkajs-upstream');
    queue.checkPendingRequests(); // what every fulfilled response does
    jest.advanceTimersByTime(1_000);
    expect(checks()).toBeGreaterThan(500);
    queue.destroy();
  });

  it('patched, an empty queue schedules nothing', () => {
    const { queue, checks } = idleQueue('kafkajs');
    queue.checkPendingRequests();
    jest.advanceTimersByTime(1_000);
    expect(checks()).toBe(1);
    expect(jest.getTimerCount()).toBe(0);
    queue.destroy();
  });

  it('patched, a throttled queue with a pending request still checks when the throttle ends', () => {
    const { queue, checks } = idleQueue('kafkajs');
    queue.throttledUntil = Date.now() + 200;
    let sent = 0;
    queue.pending.push({ correlationId: 1, expectResponse: true, send: () => void sent++ });
    queue.scheduleCheckPendingRequests();
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(199);
    expect(sent).toBe(0);
    jest.advanceTimersByTime(1);
    expect(sent).toBe(1);
    // Sent and awaiting its response: nothing left to check on a timer.
    expect(jest.getTimerCount()).toBe(0);
    expect(checks()).toBe(1);
    queue.destroy();
  });

  it.each([
    ['as published', 'kafkajs-upstream', 100],
    ['patched', 'kafkajs', 10],
  ])('%s (%s): the request-timeout sweep of a connection runs %i times in 10 s', (_, pkg, times) => {
    const { queue, connectionChecks } = idleQueue(pkg, true);
    queue.scheduleRequestTimeoutCheck(); // what every connection does when it connects
    jest.advanceTimersByTime(10_000);
    expect(connectionChecks()).toBe(times);
    queue.destroy();
  });
});
