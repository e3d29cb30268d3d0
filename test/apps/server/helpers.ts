/** Shared pieces of the studio tests: a fake model catalog, the fake dream backend, uploads. */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { createStudioServer, type ModelCatalog, type StudioOptions } from '../../../src/apps/server/index.js';

/** The dream tests' fake network, in the worker; `delayMs` slows every tile step. */
export function fakeBackendModule(query = 'kind=grid'): string {
  return new URL(`../../support/fake-backend-module.ts?${query}`, import.meta.url).href;
}

export const fakeCatalog: ModelCatalog = {
  async list() {
    return [
      { name: 'inception_v3', description: 'fake inception', presets: true },
      { name: 'tiny_net', description: 'fake second model', presets: false },
    ];
  },
  async layers(model) {
    if (model === 'inception_v3') {
      return {
        model,
        defaultLayer: 'mixed4',
        layers: ['mixed1', 'mixed3', 'mixed4', 'mixed5'].map((name) => ({ name, shape: [8, 4, 4], channels: 8 })),
      };
    }
    if (model === 'tiny_net')
      return { model, defaultLayer: 'conv1', layers: [{ name: 'conv1', shape: [4, 8, 8], channels: 4 }] };
    return undefined;
  },
};

/** A folder with no web build: tests see the studio without "Dream on this device" unless they give one. */
const NO_WEB_BUILD = new URL('../../fixtures/no-web-build/', import.meta.url).pathname;

/** The owner cookie of the test's browser: every injected request carries it unless it sends its own cookies. */
export const TEST_OWNER = { studio_owner: '0123456789abcdef0123456789abcdef' };

/** A studio on a fresh data folder, removed when the server closes. */
export async function testServer(options: StudioOptions = {}): Promise<FastifyInstance> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'studio-test-'));
  const app = await createStudioServer({
    // Tests send many requests at once: the rate limits are off unless a test sets them.
    dreamsPerMinute: 1_000_000,
    requestsPerMinute: 1_000_000,
    catalog: fakeCatalog,
    backendModule: fakeBackendModule(),
    webDir: NO_WEB_BUILD,
    ...options,
    dataDir,
  });
  if (options.dataDir === undefined) app.addHook('onClose', () => rm(dataDir, { recursive: true, force: true }));
  const inject = app.inject.bind(app);
  app.inject = ((request: InjectOptions | string) =>
    inject(
      typeof request === 'string'
        ? { url: request, cookies: TEST_OWNER }
        : { ...request, cookies: request.cookies ?? TEST_OWNER },
    )) as FastifyInstance['inject'];
  return app;
}

/** examples/`name`.jpg scaled to `width` pixels wide, as JPEG bytes. */
export function examplePhoto(name: string, width: number): Promise<Buffer> {
  return sharp(new URL(`../../../examples/${name}.jpg`, import.meta.url).pathname)
    .resize(width)
    .jpeg()
    .toBuffer();
}

/** A small opaque PNG photo with a gradient. */
export async function photoPng(width = 48, height = 32): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    pixels[i * 3] = (i * 7) % 256;
    pixels[i * 3 + 1] = (i * 3) % 256;
    pixels[i * 3 + 2] = 128;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

export interface FilePart {
  field?: string;
  name: string;
  bytes: Buffer;
  type?: string;
}

/** A multipart/form-data request body, encoded the way browsers do (through undici's FormData). */
export async function multipart(
  fields: Record<string, string>,
  files: FilePart[],
): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const file of files) {
    form.append(
      file.field ?? 'image',
      new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'image/png' }),
      file.name,
    );
  }
  const request = new Request('http://studio.test/', { method: 'POST', body: form });
  return {
    payload: Buffer.from(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type')! },
  };
}

export async function postDream(
  app: FastifyInstance,
  fields: Record<string, string>,
  files: FilePart[],
): Promise<LightMyRequestResponse> {
  const body = await multipart(fields, files);
  return app.inject({ method: 'POST', url: '/api/dreams', ...body });
}

/** Polls a dream until it leaves the queue and finishes. */
export async function waitForDream(app: FastifyInstance, id: string): Promise<{ status: string; error?: string }> {
  for (;;) {
    const view = (await app.inject({ url: `/api/dreams/${id}` })).json<{ status: string; error?: string }>();
    if (!['queued', 'running'].includes(view.status)) return view;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Fails unless the body is a one-line JSON error; returns the message. */
export function errorMessage(response: LightMyRequestResponse): string {
  const { error } = response.json<{ error: string }>();
  if (typeof error !== 'string' || error.length === 0 || error.includes('\n')) {
    throw new Error(`not a one-line JSON error: ${response.body}`);
  }
  return error;
}
