// The console API as the page uses it: the token from the login form (kept for this tab only), problems as errors.

const TOKEN_KEY = 'leadflow.console.token';

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** An RFC 9457 problem answered by the API. */
export class ApiError extends Error {
  constructor(problem) {
    super(problem.detail || problem.title || 'Request failed');
    this.problem = problem;
    this.status = problem.status;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const res = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${session.token ?? ''}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    if (res.status === 401) session.clear();
    throw new ApiError(data ?? { status: res.status, title: res.statusText });
  }
  return data;
}

/**
 * Reads a Server-Sent Events stream with fetch (EventSource cannot send the Authorization header). Calls
 * `onEvent(name, data)` per event; returns a function that stops it.
 */
export function stream(path, onEvent, onEnd) {
  const abort = new AbortController();
  (async () => {
    try {
      const res = await fetch(path, {
        headers: { authorization: `Bearer ${session.token ?? ''}` },
        signal: abort.signal,
      });
      if (!res.ok || !res.body) throw new Error(`stream ${path}: ${res.status}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut;
        while ((cut = buf.indexOf('\n\n')) !== -1) {
          const chunk = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let event = 'message';
          let data = '';
          for (const line of chunk.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data) onEvent(event, JSON.parse(data));
        }
      }
      onEnd?.();
    } catch (err) {
      if (!abort.signal.aborted) onEnd?.(err);
    }
  })();
  return () => abort.abort();
}
