/** `deepdream models [list|add|remove]`: bundled, installed and downloadable models. */
import type { Command } from 'commander';
import { invalid } from '../../../core/options/checks.js';
import type { ModelDescriptor } from '../../../core/models/descriptor.js';

interface AddFlags {
  name?: string;
  as?: string;
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
  const { catalogEntries, mainFile } = await import('../../../node/models/catalog.js');
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
    const file = mainFile(e);
    const check = file.sha256 ? 'sha256' : file.sha1 ? 'sha1' : 'no published checksum';
    const layers = e.descriptor.recommendedLayers?.join(', ');
    lines.push(`  ${e.name.padEnd(22)} ${e.description}${done}`);
    lines.push(`  ${''.padEnd(22)} licence: ${e.licence}; ${check}${layers ? `; layers: ${layers}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The descriptor the flags give, or undefined when they give none (a catalog model brings its own). */
async function descriptorFromFlags(flags: AddFlags): Promise<ModelDescriptor | undefined> {
  if (flags.descriptor) {
    const { readDescriptorFile } = await import('../../../node/models/descriptor.js');
    return readDescriptorFile(flags.descriptor);
  }
  if (!flags.bgr && !flags.range && !flags.mean && !flags.std) return undefined;
  const { parseDescriptor } = await import('../../../core/models/descriptor.js');
  return parseDescriptor({
    preprocessing: {
      channelOrder: flags.bgr ? 'BGR' : 'RGB',
      ...(flags.range ? { range: numbers(flags.range, 2, '--range') } : {}),
      ...(flags.mean ? { mean: numbers(flags.mean, 3, '--mean') } : {}),
      ...(flags.std ? { std: numbers(flags.std, 3, '--std') } : {}),
    },
  });
}

async function addCommand(source: string, flags: AddFlags, command: Command): Promise<void> {
  const { addModel } = await import('../../../node/models/installed.js');
  const { SingleBar } = await import('cli-progress');
  const descriptor = await descriptorFromFlags(flags);
  let bar: InstanceType<typeof SingleBar> | undefined;
  const tty = process.stderr.isTTY;
  try {
    const record = await addModel(source, {
      ...(descriptor && { descriptor }),
      ...(flags.name ? { name: flags.name } : {}),
      ...(flags.as ? { catalogName: flags.as } : {}),
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
    const catalog = record.catalogName ? `, the catalog's ${record.catalogName} with its layers and labels` : '';
    process.stdout.write(`installed ${record.name} (${record.format}${catalog}); dream with --model ${record.name}\n`);
  } catch (err) {
    const { UnreachableError } = await import('../../../node/models/download.js');
    if (err instanceof UnreachableError) throw new Error(await offlineHint(err, source, command), { cause: err });
    throw err;
  } finally {
    bar?.stop();
  }
}

/**
 * What to do when the server cannot be reached: the files to download by hand, and the exact
 * command that installs them (this one, the downloaded files in place of the source).
 */
async function offlineHint(err: { reason: string }, source: string, command: Command): Promise<string> {
  const { catalogChecksum, fileNameOf, findCatalogEntry, mainFile } = await import('../../../node/models/catalog.js');
  const entry = findCatalogEntry(source);
  const urls = entry
    ? [mainFile(entry).url, ...(entry.files['prototxt'] ? [entry.files['prototxt'].url] : [])]
    : [source];
  const files = urls.map(fileNameOf);
  // A file the catalog publishes a checksum of is recognised by it; --as names the others.
  const local = entry
    ? [
        files[0]!,
        ...(files[1] ? ['--prototxt', files[1]] : []),
        ...(catalogChecksum(mainFile(entry)) ? [] : ['--as', entry.name]),
      ]
    : files;
  const typed = command.options.flatMap((option) => {
    const key = option.attributeName();
    if (command.getOptionValueSource(key) !== 'cli') return [];
    return option.isBoolean() ? [option.long!] : [option.long!, String(command.getOptionValue(key))];
  });
  const args = ['models', 'add', ...local, ...typed];
  const where = files.length > 1 ? ' into one folder, then run in that folder' : ', then run in its folder';
  return `${err.reason}; download ${urls.join(' and ')} by hand${where}: deepdream ${args.map(shellQuoted).join(' ')}`;
}

/** An argument as a POSIX shell reads it back. */
const shellQuoted = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

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
    .option('--as <catalog-name>', "install a model file as this catalog model, with the catalog's settings")
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
