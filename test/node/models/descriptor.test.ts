import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { classObjective, LOGITS_METADATA } from '../../../src/core/models/descriptor.js';
import { readDescriptorFile, readLabelSet } from '../../../src/node/models/descriptor.js';
import { OptionError } from '../../../src/core/options/checks.js';
import type { LoadedModel } from '../../../src/core/models/types.js';
import { flagName } from '../../../src/apps/cli/flags.js';

test('label sets: the shipped ImageNet names in output order; unknown ids are refused', () => {
  const names = readLabelSet('imagenet1000');
  assert.equal(names.length, 1000);
  assert.deepEqual([names[0], names[999]], ['tench', 'toilet_tissue']);
  assert.throws(() => readLabelSet('places365'), { message: "unknown label set 'places365' (known: imagenet1000)" });
});

test('descriptor files: parsed and validated, with the path in every error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descriptor-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const good = file('good.json', '{ "preprocessing": { "channelOrder": "BGR" }, "labels": "imagenet1000" }');
  assert.deepEqual(readDescriptorFile(good), {
    preprocessing: { channelOrder: 'BGR', range: [0, 255], mean: [0, 0, 0], std: [1, 1, 1] },
    labels: 'imagenet1000',
  });
  const broken = file('broken.json', '{ "preprocessing": ');
  assert.throws(() => readDescriptorFile(broken), {
    message: new RegExp(`^model descriptor ${broken} is not valid JSON: `),
  });
  const wrong = file('wrong.json', '{ "layout": "CHW" }');
  assert.throws(() => readDescriptorFile(wrong), {
    message: `model descriptor ${wrong}: 'layout' should be "NCHW" or "NHWC"`,
  });
  const missing = join(dir, 'missing.json');
  assert.throws(() => readDescriptorFile(missing), { message: `cannot read the model descriptor ${missing}` });
});

test('class objectives: a model without a classifier or class names refuses --class by its option name', () => {
  const model = (metadata: Record<string, string>) =>
    ({ name: 'plain', model: { metadata } }) as unknown as LoadedModel;
  const refusal = (metadata: Record<string, string>, label: string): OptionError => {
    try {
      classObjective(model(metadata), label);
    } catch (err) {
      if (err instanceof OptionError) return err;
      throw err;
    }
    return assert.fail('no refusal');
  };
  const noHead = refusal({}, 'banana');
  assert.equal(noHead.message, "class cannot be used with model 'plain': it has no classifier head");
  assert.equal(noHead.messageFor(flagName), "--class cannot be used with model 'plain': it has no classifier head");
  const noNames = refusal({ [LOGITS_METADATA]: 'fc' }, 'banana');
  assert.equal(
    noNames.messageFor(flagName),
    "--class must be a class number: model 'plain' ships no class names (got 'banana')",
  );
  assert.deepEqual(classObjective(model({ [LOGITS_METADATA]: 'fc' }), '3').terms[0], {
    kind: 'layer',
    layer: 'fc',
    weight: 1,
    reduce: 'mean',
    channels: [3],
  });
});
