/** GET /api/models, /api/models/:name/layers and /api/presets: what the form offers. */
import type { FastifyInstance } from 'fastify';
import { DEFAULT_MODEL, DEFAULT_OPTIONS, DEFAULT_PRESET, PRESETS } from '../../core/dream/options.js';
import type { ModelCatalog } from './catalog.js';
import type { DreamLimits } from './dream-request.js';
import { HttpError } from './errors.js';
import { MIN_SIZE, zoomForm } from './form.js';

/** Where the page finds the web build for dreaming on the device (absent: it cannot). */
export interface DeviceSettings {
  /** URL of the folder holding worker.js and device.js. */
  bundle: string;
}

export interface CatalogContext {
  catalog: ModelCatalog;
  limits: DreamLimits;
  maxUploadBytes: number;
  device?: DeviceSettings;
}

export function registerCatalogRoutes(app: FastifyInstance, context: CatalogContext): void {
  const { catalog } = context;

  app.get('/api/models', async () => ({ models: await catalog.list() }));

  app.get<{ Params: { name: string } }>('/api/models/:name/layers', async (request) => {
    const layers = await catalog.layers(request.params.name);
    if (!layers) throw new HttpError(404, `unknown model '${request.params.name}'`);
    return layers;
  });

  app.get('/api/presets', async () => presetsView(context));
}

/** The looks and the form's limits, as GET /api/presets answers (and the static site's site.json holds). */
export function presetsView({ limits, maxUploadBytes, device }: Omit<CatalogContext, 'catalog'>) {
  return {
    presets: Object.entries(PRESETS).map(([name, preset]) => ({
      name,
      description: preset.description,
      model: DEFAULT_MODEL,
    })),
    defaultPreset: DEFAULT_PRESET,
    form: {
      steps: { default: DEFAULT_OPTIONS.steps, min: 1, max: limits.maxSteps },
      size: { default: limits.maxSize, min: MIN_SIZE, max: limits.maxSize },
      maxUploadBytes,
      maxPixels: limits.maxPixels,
      zoom: zoomForm(limits),
    },
    ...(device && { device }),
  };
}
