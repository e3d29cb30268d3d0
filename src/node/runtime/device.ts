/**
 * Where the network runs: ONNX Runtime's CPU provider, its CUDA provider or its WebGPU provider.
 * A GPU provider is probed before any work, in a child process (a tiny session with the provider):
 * a missing library, driver or adapter then gives one line saying what to install, and the native
 * libraries' own messages (and any crash of theirs) stay out of this process.
 */
import { execFile } from 'node:child_process';
import { encodeModel } from '../../core/onnx/codec.js';
import { emptyGraph, GraphBuilder } from '../../core/onnx/ir.js';
import { OptionError, must } from '../../core/options/checks.js';

export const DEVICES = ['auto', 'cpu', 'cuda', 'webgpu'] as const;
/** `auto`: the first GPU provider that works here (CUDA, then WebGPU), else the CPU. */
export type Device = (typeof DEVICES)[number];
/** A device ONNX Runtime runs on: what `auto` resolves to. */
export type OrtDevice = Exclude<Device, 'auto'>;

const GPU_DEVICES: readonly OrtDevice[] = ['cuda', 'webgpu'];
const PROBE_TIMEOUT_MS = 60_000;

/** What a user needs for each GPU provider, said when it is missing. */
const REQUIREMENTS: Record<Exclude<OrtDevice, 'cpu'>, string> = {
  cuda:
    'it needs an NVIDIA GPU with CUDA 12 and cuDNN 9, and onnxruntime-node installed with its CUDA provider ' +
    '(npm install --onnxruntime-node-install=cuda12, or ONNXRUNTIME_NODE_INSTALL=cuda12 npm install)',
  webgpu: 'it needs a GPU whose driver offers WebGPU through Vulkan (Linux), Direct3D 12 (Windows) or Metal (macOS)',
};

const NAMES: Record<OrtDevice, string> = { cpu: 'CPU', cuda: 'CUDA', webgpu: 'WebGPU' };

export interface DeviceChoice {
  device: OrtDevice;
  /** For `auto`: what was chosen and why ("running on the CPU (no GPU provider works here: ...)"). */
  note?: string;
}

/** `device` checked as an option value (the library's name for it is `device`). */
export function checkDevice(device: unknown): Device {
  if (typeof device === 'string' && (DEVICES as readonly string[]).includes(device)) return device as Device;
  throw new OptionError('device', must(`be one of ${DEVICES.join(', ')}`, device));
}

/**
 * The provider to run on: `cpu` as is, a GPU provider once a probe session ran on it (else an
 * OptionError naming what to install), `auto` the first GPU provider that works, else the CPU.
 */
export async function chooseDevice(asked: Device): Promise<DeviceChoice> {
  const device = checkDevice(asked);
  if (device === 'cpu') return { device };
  if (device !== 'auto') {
    const failure = await probeDevice(device);
    if (failure !== undefined) {
      throw new OptionError(
        'device',
        `${device}: ONNX Runtime's ${NAMES[device]} provider does not work here (${failure}); ${REQUIREMENTS[device]}`,
      );
    }
    return { device };
  }
  // Probed side by side; the first in GPU_DEVICES' order that works wins.
  const results = await Promise.all(GPU_DEVICES.map(probeDevice));
  const working = GPU_DEVICES.find((_, i) => results[i] === undefined);
  if (working) return { device: working, note: `running on ${NAMES[working]}` };
  const failures = GPU_DEVICES.map((gpu, i) => `${gpu}: ${results[i]}`);
  return { device: 'cpu', note: `running on the CPU (no GPU provider works here: ${failures.join('; ')})` };
}

const probes = new Map<OrtDevice, Promise<string | undefined>>();

/** Why a session on `device` fails here, or undefined when it runs; probed once per process. */
export function probeDevice(device: OrtDevice): Promise<string | undefined> {
  let probe = probes.get(device);
  if (!probe) {
    probe = runProbe(device);
    probes.set(device, probe);
  }
  return probe;
}

/** A one-node model (Relu of a float [1]): enough for the provider to load and run. */
function probeModel(): Uint8Array {
  const graph = emptyGraph('device-probe');
  graph.inputs.push({ name: 'x', dataType: 'float32', shape: [1] });
  const y = new GraphBuilder(graph).add('Relu', ['x']);
  graph.outputs.push({ name: y, dataType: 'float32', shape: [1] });
  return encodeModel({ graph, opsetVersion: 17, irVersion: 8, producerName: 'inceptionism', metadata: {} });
}

/** Prints "ok", or the error's first line, on stdout; argv: ORT's module URL, the provider, the model in base64. */
const PROBE_SCRIPT = `
const [url, device, model] = process.argv.slice(1);
const loaded = await import(url);
const ort = loaded.default ?? loaded;
try {
  const session = await ort.InferenceSession.create(Buffer.from(model, 'base64'), {
    executionProviders: [device],
    logSeverityLevel: 4,
  });
  await session.run({ x: new ort.Tensor('float32', new Float32Array([1]), [1]) });
  process.stdout.write('ok');
} catch (error) {
  process.stdout.write(String(error?.message ?? error));
}`;

function runProbe(device: OrtDevice): Promise<string | undefined> {
  const args = [
    '--input-type=module',
    '-e',
    PROBE_SCRIPT,
    import.meta.resolve('onnxruntime-node'),
    device,
    Buffer.from(probeModel()).toString('base64'),
  ];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout) => {
      if (stdout === 'ok') resolve(undefined);
      else if (stdout) resolve(probeFailure(stdout));
      else resolve(error?.signal ? `the probe was stopped by ${error.signal}` : 'the probe failed without a message');
    });
  });
}

/** The informative part of ORT's message, on one line: native messages carry source paths and newlines. */
export function probeFailure(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const text = lines.join(' ');
  // "/onnxruntime_src/...cc:136 onnxruntime::...::<lambda()> cond was false. Failed to get a WebGPU adapter: ..."
  const sentence = /(?:was false\.|\]\s*:?)\s*(.+)$/.exec(text)?.[1] ?? text;
  const short = sentence.replace(/^OrtSessionOptionsAppendExecutionProvider_\w+:\s*/, '');
  return short.length > 200 ? `${short.slice(0, 197)}...` : short;
}
