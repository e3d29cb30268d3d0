// What every part of the page shares: element lookup and the studio API's JSON calls.
export const $ = (id) => document.getElementById(id);

/** A status other than 2xx, with the server's one-line message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The error when the server does not answer at all (stopped, restarting, or the network is down). */
export class OfflineError extends Error {
  constructor() {
    super('Cannot reach the studio server. Is it still running?');
  }
}

export async function api(path, init) {
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new OfflineError();
  }
  const body = response.headers.get('content-type')?.includes('json') ? await response.json() : {};
  if (!response.ok) {
    const wait = response.headers.get('retry-after');
    const retry = wait ? ` Try again in ${wait} s.` : '';
    throw new ApiError(response.status, `${body.error ?? `The server answered ${response.status}`}${retry}`);
  }
  return body;
}

/** Whether the person asked for less motion: no autoplay, no smooth scrolling. */
export const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

/** Server messages start in lower case, like the CLI's; on the page they are sentences. */
export const sentence = (message) => message.charAt(0).toUpperCase() + message.slice(1);

/** A dream's settings (the form fields it was posted with, as GET /api/dreams/:id gives them) as a form again. */
export function settingsFields(settings = {}) {
  const fields = new FormData();
  for (const [key, value] of Object.entries(settings)) {
    if (value !== undefined && value !== '') fields.append(key, String(value));
  }
  return fields;
}
