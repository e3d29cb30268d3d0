/**
 * Downloads a file into `${dest}.part`, resuming with an HTTP Range request after an
 * interruption (in the same run, or a later one), then verifies the published checksum
 * before moving it to `dest`. A file that fails verification is deleted.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
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

/** A download that could not start: its server cannot be reached (offline, DNS, firewall). */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
  /** "cannot reach HOST (CODE)". */
  readonly reason: string;

  constructor(
    readonly url: string,
    readonly code: string,
  ) {
    const reason = `cannot reach ${new URL(url).host} (${code})`;
    super(`${reason}; download ${url} by hand and install it with 'deepdream models add PATH'`);
    this.reason = reason;
  }
}

const sizeOf = async (path: string): Promise<number> => (await stat(path).catch(() => undefined))?.size ?? 0;

/** The error's code (ECONNREFUSED, ENOTFOUND...), also when wrapped as a cause. */
function networkCode(err: unknown): string | undefined {
  for (let e = err as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

/** One GET (with Range when part of the file is here); every received chunk is on disk before the next. */
function attempt(url: string, part: string, opts: DownloadOptions, have: number): Promise<void> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise<void>((resolve, reject) => {
    const request = get(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {} }, (response) => {
      const status = response.statusCode ?? 0;
      if (status === 416) {
        response.resume();
        resolve(); // The part file already holds everything.
        return;
      }
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        attempt(new URL(response.headers.location, url).href, part, opts, have).then(resolve, reject);
        return;
      }
      if (status !== 200 && status !== 206) {
        response.resume();
        reject(new Error(`server answered ${status} ${response.statusMessage ?? ''}`.trim()));
        return;
      }
      const resumed = status === 206;
      const length = Number(response.headers['content-length'] ?? NaN);
      const total = Number.isFinite(length) ? length + (resumed ? have : 0) : undefined;
      const fd = openSync(part, resumed ? 'a' : 'w');
      let received = resumed ? have : 0;
      let finished = false;
      // A dropped connection reports both 'aborted' and 'error'; settle once.
      const finish = (err?: Error) => {
        if (finished) return;
        finished = true;
        closeSync(fd);
        if (err) reject(err);
        else if (total !== undefined && received < total)
          reject(new Error(`connection closed after ${received} of ${total} bytes`));
        else resolve();
      };
      response.on('data', (chunk: Buffer) => {
        writeSync(fd, chunk);
        received += chunk.length;
        opts.onProgress?.(received, total);
      });
      response.on('end', () => finish());
      response.on('error', (err) => finish(err));
      response.on('aborted', () => finish(new Error(`connection closed after ${received} bytes`)));
    });
    request.on('error', reject);
  });
}

export async function download(url: string, dest: string, opts: DownloadOptions = {}): Promise<void> {
  const part = `${dest}.part`;
  await mkdir(dirname(dest), { recursive: true });
  const retries = opts.retries ?? 3;
  for (let i = 0; ; i++) {
    try {
      await attempt(url, part, opts, await sizeOf(part));
      break;
    } catch (err) {
      const code = networkCode(err);
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENETUNREACH') {
        throw new UnreachableError(url, code);
      }
      if (i >= retries) {
        throw new Error(
          `download of ${url} failed (${(err as Error).message}); run the same command again to resume, or download it by hand and use 'deepdream models add PATH'`,
        );
      }
    }
  }
  if (opts.checksum) {
    const actual = await fileDigest(part, opts.checksum.algorithm);
    if (actual !== opts.checksum.hex.toLowerCase()) {
      await rm(part, { force: true });
      throw new Error(
        `${url} has ${opts.checksum.algorithm} ${actual}, expected ${opts.checksum.hex}; the download is corrupt or the file changed upstream, so nothing was installed`,
      );
    }
  }
  await rename(part, dest);
}
