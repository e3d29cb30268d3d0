/**
 * Downloads a file into `${dest}.part`, resuming with an HTTP Range request after an
 * interruption (in the same run, or a later one), then verifies the published checksum
 * before moving it to `dest`. A file that fails verification is deleted.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface Checksum {
  algorithm: 'sha1' | 'sha256';
  hex: string;
}

export interface DownloadOptions {
  checksum?: Checksum;
  /** Bytes received so far and the total (when the server says). */
  onProgress?: (received: number, total: number | undefined) => void;
  /** Attempts after the first, each resuming where the previous one stopped. */
  retries?: number;
}

export async function fileDigest(path: string, algorithm: Checksum['algorithm']): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const sizeOf = async (path: string): Promise<number> => (await stat(path).catch(() => undefined))?.size ?? 0;

/** The root cause's code (ECONNREFUSED, ENOTFOUND...), which fetch wraps in "fetch failed". */
function networkCode(err: unknown): string | undefined {
  for (let e = err as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

async function attempt(url: string, part: string, opts: DownloadOptions): Promise<void> {
  const have = await sizeOf(part);
  const response = await fetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {} });
  if (response.status === 416) return; // The part file already holds everything.
  if (!response.ok || !response.body) throw new Error(`server answered ${response.status} ${response.statusText}`);
  const resumed = response.status === 206;
  const length = Number(response.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? length + (resumed ? have : 0) : undefined;
  const file = await open(part, resumed ? 'a' : 'w');
  let received = resumed ? have : 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      await file.write(chunk);
      received += chunk.length;
      opts.onProgress?.(received, total);
    }
  } finally {
    await file.close();
  }
  if (total !== undefined && received < total) throw new Error(`connection closed after ${received} of ${total} bytes`);
}

export async function download(url: string, dest: string, opts: DownloadOptions = {}): Promise<void> {
  const part = `${dest}.part`;
  await mkdir(dirname(dest), { recursive: true });
  const retries = opts.retries ?? 3;
  for (let i = 0; ; i++) {
    try {
      await attempt(url, part, opts);
      break;
    } catch (err) {
      const code = networkCode(err);
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENETUNREACH') {
        throw new Error(`cannot reach ${new URL(url).host} (${code}); download ${url} by hand and install it with 'deepdream models add PATH'`);
      }
      if (i >= retries) {
        throw new Error(`download of ${url} failed (${(err as Error).message}); run the same command again to resume, or download it by hand and use 'deepdream models add PATH'`);
      }
    }
  }
  if (opts.checksum) {
    const actual = await fileDigest(part, opts.checksum.algorithm);
    if (actual !== opts.checksum.hex.toLowerCase()) {
      await rm(part, { force: true });
      throw new Error(`${url} has ${opts.checksum.algorithm} ${actual}, expected ${opts.checksum.hex}; the download is corrupt or the file changed upstream, so nothing was installed`);
    }
  }
  await rename(part, dest);
}
