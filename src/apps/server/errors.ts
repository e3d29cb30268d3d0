/** Errors the API answers with: a status code and one line of JSON, never a stack trace. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { oneLine } from '../shared/errors.js';

/** An error whose message is meant for the person using the studio. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * Fastify's error handler: our errors (503 busy included) and client errors (fastify's and its
 * plugins') keep their status and message; anything else is a 500 with the message but no stack.
 */
export function handleError(error: FastifyError | Error, _request: FastifyRequest, reply: FastifyReply): void {
  const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
  const told = error instanceof HttpError || (status >= 400 && status < 500);
  const message = told ? oneLine(error.message) : `internal error: ${oneLine(error.message)}`;
  void reply.status(told ? status : 500).send({ error: message });
}
