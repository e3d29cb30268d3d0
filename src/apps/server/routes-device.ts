/**
 * "Dream on this device": /device/ serves the web build's worker and onnxruntime-web files, and
 * /device/models/ the studio's models for browsers (see device-models.ts). Photos never come here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { ModelCatalog } from './catalog.js';
import { deviceModelFiles, type DeviceModelFiles } from './device-models.js';
import { HttpError } from './errors.js';

export const DEVICE_PREFIX = '/device/';

/** Whether `webDir` holds a web build (npm run build:web) to serve. */
export function hasWebBuild(webDir: string): boolean {
  return existsSync(join(webDir, 'worker.js'));
}

export async function registerDeviceRoutes(
  app: FastifyInstance,
  context: { webDir: string; catalog: ModelCatalog },
): Promise<void> {
  const { catalog } = context;
  const files = new Map<string, Promise<DeviceModelFiles>>();
  const filesOf = async (name: string): Promise<DeviceModelFiles> => {
    if (!(await catalog.list()).some((m) => m.name === name)) throw new HttpError(404, `unknown model '${name}'`);
    let model = files.get(name);
    if (!model) {
      model = import('../../node/models/index.js').then(async ({ loadModel }) =>
        deviceModelFiles(await loadModel(name)),
      );
      files.set(name, model);
      model.catch(() => files.delete(name));
    }
    return model;
  };

  app.get<{ Params: { file: string } }>(`${DEVICE_PREFIX}models/:file`, async (request, reply) => {
    const { file } = request.params;
    const graph = /^(.+)-[0-9a-f]{16}\.onnx$/.exec(file);
    if (graph) {
      const model = await filesOf(graph[1]!);
      if (model.graphFile !== file) throw new HttpError(404, `${file} is not the current graph of ${graph[1]}`);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(model.graph);
    }
    if (!file.endsWith('.json')) throw new HttpError(404, `not found: ${DEVICE_PREFIX}models/${file}`);
    const { manifest } = await filesOf(file.slice(0, -'.json'.length));
    return reply.header('cache-control', 'no-cache').send(manifest);
  });

  await app.register(fastifyStatic, { root: context.webDir, prefix: DEVICE_PREFIX, decorateReply: false });
}
