/**
 * The Keras functional-model topology as stored by tfjs-layers (`modelTopology.model_config`),
 * reduced to what the converter needs: layers, their inputs, and typed access to their configs.
 */

export interface KerasLayer {
  name: string;
  className: string;
  config: LayerConfig;
  /** Names of the layers whose (single) output this layer consumes, in order. */
  inputs: string[];
}

export interface KerasTopology {
  layers: KerasLayer[];
  byName: Map<string, KerasLayer>;
  inputLayer: KerasLayer;
  /** [height, width] from the input layer's batch_input_shape (what the model was trained at). */
  defaultInputSize: [number, number];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Typed, validated reads of one layer's `config`, with errors that name the layer. */
export class LayerConfig {
  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly where: string,
  ) {}

  /** An error naming the layer, for `throw config.error(...)`. */
  error(message: string): Error {
    return new Error(`Keras layer ${this.where}: ${message}`);
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  string(key: string, fallback?: string): string {
    const v = this.raw[key] ?? fallback;
    if (typeof v !== 'string') throw this.error(`config.${key} must be a string, got ${JSON.stringify(v)}`);
    return v;
  }

  number(key: string, fallback?: number): number {
    const v = this.raw[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw this.error(`config.${key} must be a number, got ${JSON.stringify(v)}`);
    return v;
  }

  boolean(key: string, fallback?: boolean): boolean {
    const v = this.raw[key] ?? fallback;
    if (typeof v !== 'boolean') throw this.error(`config.${key} must be a boolean, got ${JSON.stringify(v)}`);
    return v;
  }

  /** An [a, b] pair of positive integers; Keras also allows a single integer for both. */
  pair(key: string, fallback?: [number, number]): [number, number] {
    const v = this.raw[key] ?? fallback;
    const pair = typeof v === 'number' ? [v, v] : v;
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((x) => Number.isInteger(x) && x > 0)) {
      throw this.error(`config.${key} must be two positive integers, got ${JSON.stringify(v)}`);
    }
    return [pair[0] as number, pair[1] as number];
  }

  /** The raw value, for configs with several accepted forms (e.g. ZeroPadding2D's padding). */
  value(key: string): unknown {
    return this.raw[key];
  }
}

/** Parses `modelTopology` (the object with `model_config`) of a tfjs-layers model. */
export function parseTopology(modelTopology: unknown): KerasTopology {
  const modelConfig = isRecord(modelTopology) ? modelTopology['model_config'] : undefined;
  if (!isRecord(modelConfig) || !isRecord(modelConfig['config'])) {
    throw new Error('Keras topology: model_config.config is missing');
  }
  const className = modelConfig['class_name'];
  if (className !== 'Model' && className !== 'Functional') {
    throw new Error(`Keras topology: only functional models are supported, got ${String(className)}`);
  }
  const rawLayers = modelConfig['config']['layers'];
  if (!Array.isArray(rawLayers) || rawLayers.length === 0) throw new Error('Keras topology: no layers');

  const layers = rawLayers.map(parseLayer);
  const byName = new Map<string, KerasLayer>();
  for (const layer of layers) {
    if (byName.has(layer.name)) throw new Error(`Keras topology: duplicate layer name ${layer.name}`);
    byName.set(layer.name, layer);
  }
  for (const layer of layers) {
    for (const input of layer.inputs) {
      if (!byName.has(input)) throw layer.config.error(`input ${input} is not a layer of the model`);
    }
  }
  const inputLayers = layers.filter((l) => l.className === 'InputLayer');
  if (inputLayers.length !== 1) throw new Error(`Keras topology: expected one InputLayer, found ${inputLayers.length}`);
  const inputLayer = inputLayers[0]!;
  return { layers, byName, inputLayer, defaultInputSize: inputSize(inputLayer) };
}

function parseLayer(raw: unknown, index: number): KerasLayer {
  if (
    !isRecord(raw) ||
    typeof raw['name'] !== 'string' ||
    typeof raw['class_name'] !== 'string' ||
    !isRecord(raw['config'])
  ) {
    throw new Error(`Keras topology: layer #${index} lacks name, class_name or config`);
  }
  const name = raw['name'];
  const className = raw['class_name'];
  const config = new LayerConfig(raw['config'], `${name} (${className})`);
  const nodes = raw['inbound_nodes'] ?? [];
  // One call site per layer: shared layers (several inbound nodes) would need per-call tensors.
  if (!Array.isArray(nodes) || nodes.length > 1) throw config.error('layers applied more than once are not supported');
  const node: unknown[] = nodes.length === 1 && Array.isArray(nodes[0]) ? nodes[0] : [];
  const inputs = node.map((ref) => {
    // Each reference is [layerName, nodeIndex, tensorIndex, kwargs].
    if (!Array.isArray(ref) || typeof ref[0] !== 'string')
      throw config.error(`malformed inbound node ${JSON.stringify(ref)}`);
    if ((ref[1] ?? 0) !== 0 || (ref[2] ?? 0) !== 0)
      throw config.error(`only first outputs of single-use layers can be inputs`);
    return ref[0] as string;
  });
  return { name, className, config, inputs };
}

function inputSize(inputLayer: KerasLayer): [number, number] {
  const shape = inputLayer.config.value('batch_input_shape');
  if (!Array.isArray(shape) || shape.length !== 4 || shape[3] !== 3) {
    throw inputLayer.config.error(`batch_input_shape must be [batch, height, width, 3], got ${JSON.stringify(shape)}`);
  }
  const [h, w] = [shape[1], shape[2]];
  if (!Number.isInteger(h) || !Number.isInteger(w)) {
    throw inputLayer.config.error(
      `batch_input_shape needs a fixed default height and width, got ${JSON.stringify(shape)}`,
    );
  }
  return [h as number, w as number];
}

/** `targets` and every layer they depend on, in topological order (inputs before consumers). */
export function ancestorsOf(topology: KerasTopology, targets: string[]): KerasLayer[] {
  const ordered: KerasLayer[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  // Iterative DFS: deep models would overflow the call stack with recursion.
  for (const target of targets) {
    const stack: { layer: KerasLayer; next: number }[] = [{ layer: layerNamed(topology, target), next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next === 0) {
        if (state.get(top.layer.name) === 'done') {
          stack.pop();
          continue;
        }
        state.set(top.layer.name, 'visiting');
      }
      const input = top.layer.inputs[top.next++];
      if (input === undefined) {
        state.set(top.layer.name, 'done');
        ordered.push(top.layer);
        stack.pop();
      } else if (state.get(input) === 'visiting') {
        throw new Error(`Keras topology: cycle through layer ${input}`);
      } else if (state.get(input) !== 'done') {
        stack.push({ layer: topology.byName.get(input)!, next: 0 });
      }
    }
  }
  return ordered;
}

function layerNamed(topology: KerasTopology, name: string): KerasLayer {
  const layer = topology.byName.get(name);
  if (!layer) throw new Error(`Keras topology: no layer named ${name}`);
  return layer;
}
