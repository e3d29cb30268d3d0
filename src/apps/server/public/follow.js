// Follows a dream on the server until it ends: its Server-Sent Events and, whenever the stream
// breaks (the server restarts, the network drops), a check with growing pauses until the server
// answers again, then the stream anew. A dream the server no longer knows ends the following.
import { api, ApiError } from './api.js';

const FINISHED = new Set(['done', 'failed', 'cancelled']);
export const isFinished = (view) => FINISHED.has(view.status);

const FIRST_RETRY_MS = 1000;
const LONGEST_RETRY_MS = 8000;

/**
 * Calls `on.view(view)` with each new state, `on.offline(error)` each time the server cannot be
 * reached, `on.gone(message)` when it answers that the dream does not exist. Returns stop().
 */
export function follow(id, on) {
  const url = `/api/dreams/${encodeURIComponent(id)}`;
  let source;
  let timer;
  let stopped = false;
  let pause = FIRST_RETRY_MS;

  const stop = () => {
    stopped = true;
    source?.close();
    clearTimeout(timer);
  };
  const receive = (view) => {
    pause = FIRST_RETRY_MS;
    on.view(view);
    if (isFinished(view)) stop();
  };
  const connect = () => {
    source = new EventSource(`${url}/events`);
    source.onmessage = (event) => receive(JSON.parse(event.data));
    source.onerror = () => {
      // EventSource's own retries give no reason and stop on a 404: check by hand instead.
      source.close();
      if (!stopped) retry();
    };
  };
  const retry = () => {
    timer = setTimeout(check, pause);
    pause = Math.min(2 * pause, LONGEST_RETRY_MS);
  };
  const check = async () => {
    try {
      receive(await api(url));
      if (!stopped) connect();
    } catch (error) {
      if (stopped) return;
      if (error instanceof ApiError && error.status === 404) {
        stop();
        on.gone(error.message);
        return;
      }
      on.offline(error);
      retry();
    }
  };
  connect();
  return stop;
}
