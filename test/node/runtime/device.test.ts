/**
 * Device choice on a machine without a GPU (this project's test machines): the real CUDA and
 * WebGPU providers are probed and must fail cleanly, in one line that says what to install;
 * `auto` falls back to the CPU and says why. Where a GPU provider does work, its cases are skipped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OptionError } from '../../../src/core/options/checks.js';
import { checkDevice, chooseDevice, probeDevice, probeFailure } from '../../../src/node/runtime/device.js';
import { ortRuntime } from '../../../src/node/runtime/ort.js';

const cudaFailure = await probeDevice('cuda');
const webgpuFailure = await probeDevice('webgpu');

describe('device', () => {
  it('checkDevice names the choices', () => {
    assert.equal(checkDevice('webgpu'), 'webgpu');
    assert.throws(
      () => checkDevice('gpu'),
      (e: unknown) =>
        e instanceof OptionError && e.message === "device must be one of auto, cpu, cuda, webgpu (got 'gpu')",
    );
  });

  it('cpu needs no probe', async () => {
    assert.deepEqual(await chooseDevice('cpu'), { device: 'cpu' });
  });

  it('a missing CUDA provider is one line naming CUDA 12, cuDNN 9 and the install flag', async (t) => {
    if (cudaFailure === undefined) return t.skip('CUDA works here');
    await assert.rejects(chooseDevice('cuda'), (e: unknown) => {
      assert.ok(e instanceof OptionError);
      assert.equal(e.option, 'device');
      assert.doesNotMatch(e.message, /\n/);
      assert.match(
        e.message,
        /^device cuda: ONNX Runtime's CUDA provider does not work here \(Failed to load shared library\); it needs an NVIDIA GPU with CUDA 12 and cuDNN 9, .*npm install --onnxruntime-node-install=cuda12, or ONNXRUNTIME_NODE_INSTALL=cuda12 npm install\)$/,
      );
      return true;
    });
  });

  it('a WebGPU provider without an adapter is one line', async (t) => {
    if (webgpuFailure === undefined) return t.skip('WebGPU works here');
    await assert.rejects(chooseDevice('webgpu'), (e: unknown) => {
      assert.ok(e instanceof OptionError);
      assert.doesNotMatch(e.message, /\n|onnxruntime_src/);
      assert.match(
        e.message,
        /^device webgpu: ONNX Runtime's WebGPU provider does not work here \(.+\); it needs a GPU/,
      );
      return true;
    });
  });

  it('auto falls back to the CPU and says why', async (t) => {
    if (cudaFailure === undefined || webgpuFailure === undefined) return t.skip('a GPU provider works here');
    assert.deepEqual(await chooseDevice('auto'), {
      device: 'cpu',
      note: `running on the CPU (no GPU provider works here: cuda: ${cudaFailure}; webgpu: ${webgpuFailure})`,
    });
  });

  it("probeFailure keeps the sentence of ORT's native messages", () => {
    assert.equal(
      probeFailure(
        '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\n',
      ),
      'Failed to get a WebGPU adapter: No supported adapters',
    );
    assert.equal(
      probeFailure('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library'),
      'Failed to load shared library',
    );
    assert.equal(probeFailure('x'.repeat(300)), `${'x'.repeat(197)}...`);
  });

  it('the WebGPU runtime asks for the MaxPool backward without indices', () => {
    assert.equal(ortRuntime('webgpu').maxPoolIndices, false);
    assert.equal(ortRuntime('cuda').maxPoolIndices, true);
    assert.equal(ortRuntime('cpu').maxPoolIndices, true);
  });
});
