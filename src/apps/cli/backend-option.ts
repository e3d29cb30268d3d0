/**
 * The hidden `--backend-module <module>` option of the commands that dream (the main command,
 * zoom, video, serve): a module exporting `createBackend` (see src/core/dream/backend.ts) to
 * dream with instead of the bundled networks. Tests pass their fake network with it; people may
 * set DEEPDREAM_BACKEND_MODULE instead, which nothing else in the program reads.
 */
import { Option } from 'commander';

export function backendModuleOption(): Option {
  return new Option('--backend-module <module>', 'dream with the createBackend of this module')
    .env('DEEPDREAM_BACKEND_MODULE')
    .hideHelp();
}

/** The flag as the dream functions take it; empty means the bundled networks. */
export function chosenBackend(flags: { backendModule?: string }): { backendModule?: string } {
  return flags.backendModule ? { backendModule: flags.backendModule } : {};
}
