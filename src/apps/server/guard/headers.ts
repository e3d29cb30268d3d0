/** Headers every answer carries, so the page cannot be framed, sniffed or made to run others' code. */
import { DEVICE_PREFIX } from '../routes-device.js';

/**
 * The page's scripts, styles and workers are its own files. WebAssembly compiles ("Dream on this
 * device" runs onnxruntime-web); images are shown from blob: and data: URLs.
 */
const CONTENT_SECURITY_POLICY = policy("script-src 'self' 'wasm-unsafe-eval'");

/**
 * The policy of "Dream on this device"'s worker (a worker runs under the policy its script came
 * with): it reads ONNX models through protobufjs, whose decoders are generated code (Function).
 */
const DEVICE_CONTENT_SECURITY_POLICY = policy("script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'");

function policy(scriptSrc: string): string {
  return [
    "default-src 'self'",
    scriptSrc,
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** The headers for a request to `url`. */
export function securityHeaders(url: string): [string, string][] {
  const csp = url.startsWith(DEVICE_PREFIX) ? DEVICE_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY;
  return [
    ['content-security-policy', csp],
    ['x-content-type-options', 'nosniff'],
    ['referrer-policy', 'same-origin'],
  ];
}
