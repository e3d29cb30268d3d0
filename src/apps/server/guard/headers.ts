/** Headers every answer carries, so the page cannot be framed, sniffed or made to run others' code. */

/**
 * The page's scripts, styles and workers are its own files. WebAssembly compiles ("Dream on this
 * device" runs onnxruntime-web); images are shown from blob: and data: URLs.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export const SECURITY_HEADERS: ReadonlyMap<string, string> = new Map([
  ['content-security-policy', CONTENT_SECURITY_POLICY],
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'same-origin'],
]);
