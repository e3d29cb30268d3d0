/** GET /api/models, /api/models/:name/layers and /api/presets: what the form offers. */
import type { FastifyInstance } from 'fastify';
import { DEFAULT_MODEL, DEFAULT_OPTIONS, DEFAULT_PRESET, PRESETS } from '../../core/dream/options.js';
import type { ModelCatalog } from './catalog.js';
import type { DreamLimits } from './dream-request.js';
import { HttpError } from './errors.js';
import { MIN_SIZE } from './form.js';

export function registerCatalogRoutes(
  app: FastifyInstance,
  context: { catalog: ModelCatalog; limits: DreamLimits; maxUploadBytes: number },
): void {
  const { catalog, limits } = context;

  app.get('/api/models', async () => ({ models: await catalog.list() }));

  app.get<{ Params: { name: string } }>('/api/models/:name/layers', async (request) => {
    const layers = await catalog.layers(request.params.name);
    if (!layers) throw new HttpError(404, `unknown model '${request.params.name}'`);
    return layers;
  });

  app.get('/api/presets', async () => ({
    presets: Object.entries(PRESETS).map(([name, preset]) => ({
      name,
      description: preset.description,
      model: DEFAULT_MODEL,
    })),
    defaultPreset: DEFAULT_PRESET,
    form: {
      steps: { default: DEFAULT_OPTIONS.steps, min: 1, max: limits.maxSteps },
      size: { default: limits.maxSize, min: MIN_SIZE, max: limits.maxSize },
      maxUploadBytes: context.maxUploadBytes,
      maxPixels: limits.maxPixels,
    },
  }));
}
