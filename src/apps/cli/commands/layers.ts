/** `deepdream layers [--model M]`: the layers of a model and whether each can be dreamed. */
import type { Command } from 'commander';
import { DEFAULT_MODEL } from '../../../core/dream/options.js';
import type { BlockInfo, LayerInfo } from '../../../core/models/types.js';

export function register(program: Command): void {
  program
    .command('layers')
    .description('list the layers of a model: name, output shape, channels, and whether it can be dreamed')
    .option('-m, --model <name>', 'model to list', DEFAULT_MODEL)
    .option('--json', 'print the layers as JSON')
    .action(async (flags: { model: string; json?: boolean }) => {
      const { loadModel } = await import('../../../node/models/index.js');
      const model = await loadModel(flags.model);
      const recommended = model.recommendedLayers ? `recommended: ${model.recommendedLayers.join(', ')}\n` : '';
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(model.layers, null, 2)}\n`
          : `${layerTable(model.layers, model.blocks)}\ndefault layer: ${model.defaultLayer}\n${recommended}`,
      );
    });
}

/**
 * A plain-text table with aligned columns. Layers of a block follow a row for the block (its
 * name, standing for its output), indented under it.
 */
export function layerTable(layers: readonly LayerInfo[], blocks: readonly BlockInfo[] = []): string {
  const cells = (name: string, l: LayerInfo) => [
    name,
    l.shape.join('x'),
    String(l.channels),
    l.dreamable ? 'yes' : 'no',
    l.reason ?? '',
  ];
  const rows = [['name', 'shape', 'channels', 'dreamable', 'reason']];
  layers.forEach((l, i) => {
    const output = blocks.find((b) => b.name === l.block)?.output;
    const head = layers.find((o) => o.name === output);
    if (l.block !== undefined && head && layers[i - 1]?.block !== l.block) rows.push(cells(l.block, head));
    rows.push(cells(l.block === undefined ? l.name : `  ${l.name}`, l));
  });
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
