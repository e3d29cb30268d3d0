/**
 * The `--device` option of the commands that run the network on this machine (the main command,
 * zoom, video, serve): where ONNX Runtime runs it. A GPU device is probed before any work.
 */
import { Option } from 'commander';
import { chooseDevice, DEVICES, type Device, type OrtDevice } from '../../node/runtime/device.js';
import { PROGRAM_NAME } from '../shared/errors.js';
import { oneOf } from './parse.js';

export function deviceOption(): Option {
  return new Option(
    '--device <name>',
    `where the network runs: ${DEVICES.join(', ')} (auto: a GPU when one works here, else the CPU; default cpu)`,
  ).argParser(oneOf(DEVICES));
}

/**
 * The device the flags ask for, once it works here (else a one-line error saying what to install);
 * for `auto`, one line on stderr says what it chose, unless the output is quiet or JSON. A backend
 * module runs its own network: nothing is probed then.
 */
export async function chosenDevice(flags: {
  device?: Device;
  backendModule?: string;
  quiet?: boolean;
  json?: boolean;
}): Promise<OrtDevice> {
  if (flags.backendModule) return 'cpu';
  const { device, note } = await chooseDevice(flags.device ?? 'cpu');
  if (note && !flags.quiet && !flags.json) process.stderr.write(`${PROGRAM_NAME}: --device auto: ${note}\n`);
  return device;
}
