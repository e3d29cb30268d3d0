/**
 * A bound on uploads being read and decoded at once: each holds its photo (up to the upload
 * limit) and decoded pixels in memory, so a burst of large uploads would otherwise take as much
 * memory as it brings. Beyond the bound a request is refused before its body is read.
 */
import type { FastifyReply } from 'fastify';
import { HttpError } from '../errors.js';

/** Seconds a refused client is told to wait: uploads take a few seconds to read and check. */
const BUSY_RETRY_AFTER_S = 5;

export class UploadSlots {
  private used = 0;

  constructor(private readonly size: number) {}

  /** Takes a slot for the request until its answer is sent or the client leaves; 503 when none is free. */
  take(reply: FastifyReply): void {
    if (this.used >= this.size) {
      void reply.header('retry-after', String(BUSY_RETRY_AFTER_S));
      throw new HttpError(
        503,
        `the studio is reading the most uploads it takes at once (${this.size}); try again in ${BUSY_RETRY_AFTER_S} seconds`,
      );
    }
    this.used++;
    reply.raw.once('close', () => this.used--);
  }
}
