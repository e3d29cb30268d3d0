/** The descriptor files and label sets a model import reads from disk. */
import { readFileSync } from 'node:fs';
import { type ModelDescriptor, parseDescriptorJson, parseLabelList } from '../../core/models/descriptor.js';

export function readDescriptorFile(path: string): ModelDescriptor {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`cannot read the model descriptor ${path}`);
  }
  return parseDescriptorJson(text, `model descriptor ${path}`);
}

const LABEL_SETS: Record<string, string> = { imagenet1000: 'imagenet1000.txt' };

/** The class names of a label set shipped in src/node/models/labels. */
export function readLabelSet(id: string): string[] {
  const file = LABEL_SETS[id];
  if (!file) throw new Error(`unknown label set '${id}' (known: ${Object.keys(LABEL_SETS).join(', ')})`);
  return parseLabelList(readFileSync(new URL(`./labels/${file}`, import.meta.url), 'utf8'));
}
