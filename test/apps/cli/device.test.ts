/**
 * `--device` of the real executable on a machine without a GPU: a missing provider is one line
 * that says what to install, before any work (no output file); `auto` dreams on the CPU and says
 * so in one line. Where a GPU provider works here, the cases that need it missing are skipped.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { probeDevice } from '../../../src/node/runtime/device.js';
import { assertOneLineError, deepdream } from '../../support/cli.js';

const CAT = new URL('../../../examples/cat.jpg', import.meta.url).pathname;
const cudaFailure = await probeDevice('cuda');
const webgpuFailure = await probeDevice('webgpu');

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inceptionism-device-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('--device', () => {
  it('cuda without the CUDA provider: one line with what to install, and no output', async (t) => {
    if (cudaFailure === undefined) return t.skip('CUDA works here');
    const output = join(dir, 'cuda.png');
    assertOneLineError(
      await deepdream([CAT, '-o', output, '--device', 'cuda']),
      /^deepdream: --device cuda: ONNX Runtime's CUDA provider does not work here \(.+\); it needs an NVIDIA GPU with CUDA 12 and cuDNN 9, .*--onnxruntime-node-install=cuda12.*ONNXRUNTIME_NODE_INSTALL=cuda12/,
    );
    assert.equal(existsSync(output), false);
  });

  it('zoom on webgpu without an adapter: one line, and no work folder left', async (t) => {
    if (webgpuFailure === undefined) return t.skip('WebGPU works here');
    const output = join(dir, 'zoom.mp4');
    assertOneLineError(
      await deepdream(['zoom', '-o', output, '--frames', '2', '--size', '96x96', '--device', 'webgpu']),
      /^deepdream: --device webgpu: ONNX Runtime's WebGPU provider does not work here \(.+\); it needs a GPU/,
    );
    assert.equal(existsSync(output), false);
    assert.equal(existsSync(`${output}.frames`), false);
  });

  it('atlas and explain on cuda without the CUDA provider: one line, and nothing written', async (t) => {
    if (cudaFailure === undefined) return t.skip('CUDA works here');
    const atlas = join(dir, 'atlas');
    const explanation = join(dir, 'explain.png');
    for (const [args, output] of [
      [['atlas', '--layer', 'mixed0', '--channels', '0', '-o', atlas, '--device', 'cuda'], atlas],
      [['explain', CAT, '-o', explanation, '--device', 'cuda'], explanation],
    ] as const) {
      assertOneLineError(
        await deepdream([...args]),
        /^deepdream: --device cuda: ONNX Runtime's CUDA provider does not work here/,
      );
      assert.equal(existsSync(output), false);
    }
  });

  it('auto dreams on the CPU here and says why, in one line', async (t) => {
    if (cudaFailure === undefined || webgpuFailure === undefined) return t.skip('a GPU provider works here');
    const output = join(dir, 'auto.png');
    const result = await deepdream([
      '--from-noise',
      '128x128',
      '--model',
      'mobilenet_v2',
      '--steps',
      '1',
      '--octaves',
      '1',
      '-o',
      output,
      '--device',
      'auto',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('deepdream: --device'));
    assert.deepEqual(lines, [
      `deepdream: --device auto: running on the CPU (no GPU provider works here: cuda: ${cudaFailure}; webgpu: ${webgpuFailure})`,
    ]);
    assert.equal(existsSync(output), true);
  });
});
