/** `deepdream models [list|add|remove]`: bundled, installed and downloadable models. */
import type { Command } from 'commander';
import { invalid } from '../../../core/options/checks.js';

interface AddFlags {
  name?: string;
  prototxt?: string;
  descriptor?: string;
  sha256?: string;
  mean?: string;
  std?: string;
  bgr?: boolean;
  range?: string;
}

const numbers = (text: string, count: number, flag: string): number[] => {
  const values = text.split(',').map((v) => Number(v.trim()));
  if (values.length !== count || values.some((v) => !Number.isFinite(v)))
    throw invalid(flag, `${count} comma-separated numbers`, text);
  return values;
};

async function listModels(): Promise<string> {
  const { listBundledModels } = await import('../../../node/models/index.js');
  const { catalogEntries } = await import('../../../node/models/catalog.js');
  const { listInstalled } = await import('../../../node/models/installed.js');
  const installed = await listInstalled();
  const lines = ['bundled:'];
  for (const m of listBundledModels())
    lines.push(`  ${m.name.padEnd(22)} ${m.description} (default layer ${m.defaultLayer})`);
  lines.push('installed:');
  if (installed.length === 0) lines.push('  (none; add one with: deepdream models add NAME|URL|PATH)');
  for (const r of installed) lines.push(`  ${r.name.padEnd(22)} ${r.format} from ${r.source}`);
  lines.push('downloadable (deepdream models add NAME):');
  for (const e of catalogEntries()) {
    const done = installed.some((r) => r.name === e.name) ? ' [installed]' : '';
    const file = e.files[e.format === 'onnx' ? 'onnx' : 'caffemodel']!;
    const check = file.sha256 ? 'sha256' : file.sha1 ? 'sha1' : 'no published checksum';
    const layers = e.descriptor.recommendedLayers?.join(', ');
    lines.push(`  ${e.name.padEnd(22)} ${e.description}${done}`);
    lines.push(`  ${''.padEnd(22)} licence: ${e.licence}; ${check}${layers ? `; layers: ${layers}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

async function addCommand(source: string, flags: AddFlags): Promise<void> {
  const { addModel } = await import('../../../node/models/installed.js');
  const { readDescriptorFile } = await import('../../../node/models/descriptor.js');
  const { parseDescriptor } = await import('../../../core/models/descriptor.js');
  const { SingleBar } = await import('cli-progress');
  const descriptor = flags.descriptor
    ? readDescriptorFile(flags.descriptor)
    : parseDescriptor({
        preprocessing: {
          channelOrder: flags.bgr ? 'BGR' : 'RGB',
          ...(flags.range ? { range: numbers(flags.range, 2, '--range') } : {}),
          ...(flags.mean ? { mean: numbers(flags.mean, 3, '--mean') } : {}),
          ...(flags.std ? { std: numbers(flags.std, 3, '--std') } : {}),
        },
      });
  let bar: InstanceType<typeof SingleBar> | undefined;
  const tty = process.stderr.isTTY;
  try {
    const record = await addModel(source, {
      descriptor,
      ...(flags.name ? { name: flags.name } : {}),
      ...(flags.prototxt ? { prototxt: flags.prototxt } : {}),
      ...(flags.sha256 ? { checksum: { algorithm: 'sha256' as const, hex: flags.sha256 } } : {}),
      onProgress: (file, received, total) => {
        if (!tty) return;
        if (!bar) {
          bar = new SingleBar({
            format: `${file} [{bar}] {percentage}% {value}/{total} bytes`,
            stream: process.stderr,
          });
          bar.start(total ?? received, received);
        }
        bar.setTotal(total ?? received);
        bar.update(received);
      },
      onUnverified: (url, sha256) =>
        process.stderr.write(`note: ${url} has no published checksum; its sha256 is ${sha256}\n`),
    });
    bar?.stop();
    process.stdout.write(`installed ${record.name} (${record.format}); dream with --model ${record.name}\n`);
  } finally {
    bar?.stop();
  }
}

export function register(program: Command): void {
  const models = program
    .command('models')
    .description('list bundled, installed and downloadable models; add or remove models');
  models.action(async () => {
    process.stdout.write(await listModels());
  });
  models
    .command('add')
    .argument('<source>', 'catalog name, URL or path of an .onnx or .caffemodel file')
    .description('download (resumable), verify and convert a model into the user cache')
    .option('--name <name>', 'install under this name')
    .option('--prototxt <file>', 'deploy prototxt of a .caffemodel')
    .option('--descriptor <file>', 'JSON model descriptor (preprocessing, layers, labels)')
    .option('--sha256 <hex>', 'expected SHA-256 of a downloaded file')
    .option('--mean <r,g,b>', "per-channel mean, in the network's channel order and range")
    .option('--std <r,g,b>', 'per-channel std')
    .option('--bgr', 'the network takes BGR')
    .option('--range <lo,hi>', 'values that pixel 0 and 255 map to, e.g. 0,1 (default 0,255)')
    .action(addCommand);
  models
    .command('remove')
    .argument('<name>', 'installed model')
    .description('delete an installed model')
    .action(async (name: string) => {
      const { removeInstalled } = await import('../../../node/models/installed.js');
      await removeInstalled(name);
      process.stdout.write(`removed ${name}\n`);
    });
}
