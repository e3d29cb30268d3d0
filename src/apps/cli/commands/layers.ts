/** `deepdream layers [--model M]`: the layers of a model and whether each can be dreamed. */
import type { Command } from 'commander';
import { DEFAULT_MODEL } from '../../../core/dream/options.js';
import type { LayerInfo } from '../../../core/models/types.js';

export function register(program: Command): void {
  program
    .command('layers')
    .description('list the layers of a model: name, output shape, channels, and whether it can be dreamed')
    .option('-m, --model <name>', 'model to list', DEFAULT_MODEL)
    .option('--json', 'print the layers as JSON')
    .action(async (flags: { model: string; json?: boolean }) => {
      const { loadModel } = await import('../../../node/models/index.js');
      const model = await loadModel(flags.model);
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(model.layers, null, 2)}\n`
          : `${layerTable(model.layers)}\ndefault layer: ${model.defaultLayer}\n`,
      );
    });
}

/** A plain-text table with aligned columns. */
export function layerTable(layers: readonly LayerInfo[]): string {
  const rows = [
    ['name', 'shape', 'channels', 'dreamable', 'reason'],
    ...layers.map((l) => [l.name, l.shape.join('x'), String(l.channels), l.dreamable ? 'yes' : 'no', l.reason ?? '']),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return (
    rows
      .map((row) =>
        row
          .map((cell, column) => cell.padEnd(widths[column]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
