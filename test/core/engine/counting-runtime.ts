/** A runtime that counts the sessions it creates (compiles), over the Node host's. */
import type { Runtime } from '../../../src/core/engine/runtime.js';
import { nodeRuntime } from '../../../src/node/runtime/ort.js';

export interface CountingRuntime extends Runtime {
  created: number;
}

export function countingRuntime(): CountingRuntime {
  const runtime: CountingRuntime = {
    created: 0,
    createSession(model, options) {
      runtime.created++;
      return nodeRuntime.createSession(model, options);
    },
  };
  return runtime;
}
