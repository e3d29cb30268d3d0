/**
 * Owners: each browser gets a random id in a cookie on its first request, and the studio shows a
 * dream only to the browser that asked for it. The cookie is HttpOnly (no script reads it) and
 * SameSite=Lax (other sites' requests do not carry it).
 */
import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The browser's owner id (from its cookie, or new). */
    owner: string;
  }
}

export const OWNER_COOKIE = 'studio_owner';
/** 128 random bits, in hex. */
const OWNER_ID = /^[0-9a-f]{32}$/;
/** As long as browsers keep a cookie. */
const MAX_AGE_SECONDS = 400 * 24 * 60 * 60;

export async function registerOwners(app: FastifyInstance): Promise<void> {
  await app.register(fastifyCookie);
  app.decorateRequest('owner', '');
  app.addHook('onRequest', async (request, reply) => {
    const given = request.cookies[OWNER_COOKIE];
    if (given !== undefined && OWNER_ID.test(given)) {
      request.owner = given;
      return;
    }
    request.owner = randomBytes(16).toString('hex');
    void reply.setCookie(OWNER_COOKIE, request.owner, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: request.protocol === 'https',
      maxAge: MAX_AGE_SECONDS,
    });
  });
}
