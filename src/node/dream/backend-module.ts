/**
 * What dreams: a module exporting `createBackend` (another engine, or a test's fake network; see
 * core/dream/backend.ts) when one is chosen, else the engine with the options' model. The dream
 * worker and the video renders both get their backend here.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BackendFactory, DreamBackend } from '../../core/dream/backend.js';
import type { DreamOptions } from '../../core/dream/options.js';
import type { HostBackendOptions } from './model-backend.js';

export interface BackendChoice extends HostBackendOptions {
  /** Path or file URL of a module exporting `createBackend`, dreamed with instead of the engine. */
  backendModule?: string | URL;
}

export async function createDreamBackend(
  options: DreamOptions,
  { backendModule, ...engine }: BackendChoice = {},
): Promise<DreamBackend> {
  if (backendModule !== undefined) return (await importBackendFactory(backendModule))(options);
  const { createModelBackend } = await import('./model-backend.js');
  return createModelBackend(options.model, engine);
}

/** The file URL of a backend module given as a path (relative to the working folder) or URL. */
export function backendModuleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  return module.startsWith('file:') ? module : pathToFileURL(resolve(module)).href;
}

const TYPESCRIPT = /\.[cm]?tsx?$/;
let typeScriptLoader: Promise<void> | undefined;

async function importBackendFactory(module: string | URL): Promise<BackendFactory> {
  const url = backendModuleUrl(module);
  // Compiled code runs without tsx's loader (this file is .ts only when run through it), and a
  // backend module may be TypeScript: register the loader then, in this thread, once.
  if (TYPESCRIPT.test(new URL(url).pathname) && !import.meta.url.endsWith('.ts')) {
    typeScriptLoader ??= import('tsx/esm/api').then(({ register }) => void register());
    await typeScriptLoader;
  }
  const { createBackend } = (await import(url)) as { createBackend: BackendFactory };
  return createBackend;
}
