/**
 * Set (true) on the options of a `node:http(s)` request whose caller makes its CLIENT span itself
 * (`startClientSpan`): the HTTP instrumentation leaves that request alone instead of tracing it a second time.
 */
export const TRACED_BY_CALLER: unique symbol = Symbol.for('leadflow.http.tracedByCaller');

/** True for request options marked `TRACED_BY_CALLER` (the HTTP instrumentation's `ignoreOutgoingRequestHook`). */
export const tracedByCaller = (options: object): boolean =>
  (options as { [TRACED_BY_CALLER]?: unknown })[TRACED_BY_CALLER] === true;
