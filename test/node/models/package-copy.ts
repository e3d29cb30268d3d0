/** Temporary copies of the nsfwjs package (MobileNetV2 files only), optionally damaged. */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nsfwjsPackageDir } from '../../../src/node/models/nsfwjs-files.js';

export const MODEL_FILE = 'model.min.js';
export const SHARD_FILE = 'group1-shard1of1.min.js';

export interface PackageCopy {
  dir: string;
  modelDir: string;
  read(file: string): string;
  write(file: string, text: string): void;
  remove(file: string): void;
  dispose(): void;
}

export function copyNsfwjsPackage(): PackageCopy {
  const source = nsfwjsPackageDir();
  const dir = mkdtempSync(join(tmpdir(), 'nsfwjs-copy-'));
  const modelDir = join(dir, 'dist', 'models', 'mobilenet_v2');
  mkdirSync(modelDir, { recursive: true });
  copyFileSync(join(source, 'package.json'), join(dir, 'package.json'));
  const sourceModels = join(source, 'dist', 'models', 'mobilenet_v2');
  for (const file of readdirSync(sourceModels)) copyFileSync(join(sourceModels, file), join(modelDir, file));
  return {
    dir,
    modelDir,
    read: (file) => readFileSync(join(modelDir, file), 'utf8'),
    write: (file, text) => writeFileSync(join(modelDir, file), text),
    remove: (file) => rmSync(join(modelDir, file)),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `text` with `from` replaced once; fails loudly if the package's format changed. */
export function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0) throw new Error(`test setup: ${from} not found`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}
