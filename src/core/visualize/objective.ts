/**
 * What a feature visualization maximises, as small values that combine: a channel, a layer, a
 * negative channel, weighted sums of channels. Each is a signed weight per channel of one layer,
 * so every objective on a layer runs in the same compiled program, its weights fed as an input.
 */
import { checkChannels } from '../autodiff/objective.js';

export type FeatureReduce = 'mean' | 'meanSquare';

export interface FeatureObjective {
  layer: string;
  /** 'mean': sum over channels of weight * mean activation; 'meanSquare': the mean square of the whole layer. */
  reduce: FeatureReduce;
  /** [channel, weight] pairs, channels in increasing order; empty with 'meanSquare' (every channel). */
  weights: ReadonlyArray<readonly [number, number]>;
}

/** The mean activation of one channel. */
export function channel(layer: string, index: number): FeatureObjective {
  return { layer, reduce: 'mean', weights: [[index, 1]] };
}

/** The mean square of a whole layer: whatever it responds to (DeepDream's objective). */
export function layer(name: string): FeatureObjective {
  return { layer: name, reduce: 'meanSquare', weights: [] };
}

/** `objective` times `factor`: negative factors look for what a channel responds against. */
export function scaled(objective: FeatureObjective, factor: number): FeatureObjective {
  if (objective.reduce !== 'mean') throw new Error('visualize: only channel objectives can be scaled');
  return { ...objective, weights: objective.weights.map(([c, w]) => [c, w * factor] as const) };
}

/** What makes the channel's activation low: its negative. */
export const negative = (objective: FeatureObjective): FeatureObjective => scaled(objective, -1);

/** The sum of channel objectives of one layer. */
export function sum(...objectives: FeatureObjective[]): FeatureObjective {
  const first = objectives[0];
  if (!first) throw new Error('visualize: a sum needs at least one objective');
  const weights = new Map<number, number>();
  for (const o of objectives) {
    if (o.layer !== first.layer) throw new Error(`visualize: a sum is of one layer, got ${first.layer} and ${o.layer}`);
    if (o.reduce !== 'mean') throw new Error('visualize: only channel objectives can be summed');
    for (const [c, w] of o.weights) weights.set(c, (weights.get(c) ?? 0) + w);
  }
  const sorted = [...weights].sort(([a], [b]) => a - b);
  return { layer: first.layer, reduce: 'mean', weights: sorted };
}

/** A short name: "mixed4", "mixed4:97", "mixed4:-97", "mixed4:3+0.5*12-2*40". */
export function describeObjective({ layer, reduce, weights }: FeatureObjective): string {
  if (reduce === 'meanSquare') return layer;
  const terms = weights.map(([c, w], i) => {
    const magnitude = Math.abs(w) === 1 ? `${c}` : `${Math.abs(w)}*${c}`;
    return w < 0 ? `-${magnitude}` : i === 0 ? magnitude : `+${magnitude}`;
  });
  return `${layer}:${terms.join('')}`;
}

/** Throws a one-line error unless every channel of `objective` is one of the layer's `channels`. */
export function checkObjectiveChannels(objective: FeatureObjective, channels: number): void {
  checkChannels(
    objective.layer,
    channels,
    objective.weights.map(([c]) => c),
  );
  const infinite = objective.weights.find(([, w]) => !Number.isFinite(w));
  if (infinite) throw new Error(`visualize: the weight of channel ${infinite[0]} is not a finite number`);
  if (objective.reduce === 'mean' && objective.weights.length === 0)
    throw new Error(`visualize: an objective on layer ${objective.layer} needs at least one channel`);
}

/**
 * The program's per-channel weights for `objective` on a layer of `channels` channels and
 * `positions` positions: the objective is sum(weights * per-channel sums of the activation, or of
 * its square), so mean-based weights divide by the positions (and by the channels for a layer).
 */
export function channelWeights(objective: FeatureObjective, channels: number, positions: number): Float32Array {
  checkObjectiveChannels(objective, channels);
  const weights = new Float32Array(channels);
  if (objective.reduce === 'meanSquare') weights.fill(1 / (channels * positions));
  else for (const [c, w] of objective.weights) weights[c] = w / positions;
  return weights;
}
