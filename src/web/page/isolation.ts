/**
 * Makes a statically hosted page cross-origin isolated through its service worker (see
 * isolation-worker.ts): registers it, then reloads once so the worker serves the page itself.
 * Where service workers are unavailable (private windows, some browsers) the page carries on
 * unisolated and the engine runs WebAssembly on one thread, with a notice.
 */

const RELOADED = 'inceptionism-isolation-reload';

/** True when the page is about to reload under its service worker (the caller stops there). */
export async function isolatePage(serviceWorkerUrl: string): Promise<boolean> {
  if (self.crossOriginIsolated) sessionStorage.removeItem(RELOADED);
  if (self.crossOriginIsolated || !('serviceWorker' in navigator) || !self.isSecureContext) return false;
  try {
    const registration = await navigator.serviceWorker.register(serviceWorkerUrl);
    if (navigator.serviceWorker.controller) {
      // Controlled yet not isolated: the worker could not help (e.g. a reload bypassed it); do not loop.
      return false;
    }
    // One reload per tab session: if it does not isolate the page, the next load gives up.
    if (sessionStorage.getItem(RELOADED)) return false;
    sessionStorage.setItem(RELOADED, '1');
    await activated(registration);
    location.reload();
    return true;
  } catch {
    return false;
  }
}

function activated(registration: ServiceWorkerRegistration): Promise<void> {
  const worker = registration.installing ?? registration.waiting ?? registration.active;
  if (!worker || worker.state === 'activated') return Promise.resolve();
  return new Promise((resolve) => {
    worker.addEventListener('statechange', () => {
      if (worker.state === 'activated') resolve();
    });
  });
}
