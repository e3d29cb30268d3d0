/**
 * A dream model in the browser: its manifest from the network (small, always fresh), its ONNX
 * bytes from Cache Storage when this browser has them, else downloaded once and kept there. The
 * bytes' file name changes with their content, so a kept copy is never stale.
 */
import { manifestModel, parseManifest } from '../../core/models/manifest.js';
import type { LoadedModel } from '../../core/models/types.js';
import { decodeModel } from '../../core/onnx/codec.js';

export const MODEL_CACHE = 'inceptionism-models';

export interface ModelLoadProgress {
  /** Bytes of the graph received so far, and in all. */
  received: number;
  total: number;
}

export interface ModelLoad {
  model: LoadedModel;
  /** Whether the graph came from this browser's cache. */
  cached: boolean;
}

export async function fetchModel(
  manifestUrl: string,
  onProgress: (progress: ModelLoadProgress) => void = () => undefined,
): Promise<ModelLoad> {
  const manifest = parseManifest(await (await download(manifestUrl)).json(), manifestUrl);
  const graphUrl = new URL(manifest.onnx, new URL(manifestUrl, self.location.href)).href;
  const cache = await openCache();
  const hit = await cache?.match(graphUrl);
  const bytes = hit
    ? new Uint8Array(await hit.arrayBuffer())
    : await downloadBytes(graphUrl, manifest.bytes, onProgress);
  if (!hit && cache) await keep(cache, graphUrl, bytes);
  let graph;
  try {
    graph = decodeModel(bytes);
  } catch (err) {
    if (hit) await cache?.delete(graphUrl);
    throw new Error(`the network ${manifest.name} is corrupt (${(err as Error).message}); reload the page`);
  }
  return { model: manifestModel(manifest, graph), cached: hit !== undefined };
}

/** Cache Storage, where the browser offers it (secure contexts); without it every visit downloads. */
async function openCache(): Promise<Cache | undefined> {
  try {
    return await self.caches?.open(MODEL_CACHE);
  } catch {
    return undefined;
  }
}

/** Keeps `bytes` under `url` and drops older versions of the same model; a full disk only costs the next visit a download. */
async function keep(cache: Cache, url: string, bytes: Uint8Array): Promise<void> {
  const stem = url.replace(/-[^-/]*$/, '-');
  try {
    for (const old of await cache.keys()) if (old.url !== url && old.url.startsWith(stem)) await cache.delete(old);
    await cache.put(
      url,
      new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/octet-stream' } }),
    );
  } catch {
    // Quota exceeded or storage disabled.
  }
}

async function download(url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch {
    throw new Error(`cannot download ${url}: the network is unreachable`);
  }
  if (!response.ok) throw new Error(`cannot download ${url} (HTTP ${response.status})`);
  return response;
}

async function downloadBytes(
  url: string,
  expected: number,
  onProgress: (progress: ModelLoadProgress) => void,
): Promise<Uint8Array> {
  const response = await download(url);
  const bytes = new Uint8Array(expected);
  let received = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (received + value.length > expected) throw sizeMismatch(url, expected);
    bytes.set(value, received);
    received += value.length;
    onProgress({ received, total: expected });
  }
  if (received !== expected) throw sizeMismatch(url, expected);
  return bytes;
}

const sizeMismatch = (url: string, expected: number): Error =>
  new Error(`${url} is not the ${expected} bytes its manifest announces; reload the page`);
