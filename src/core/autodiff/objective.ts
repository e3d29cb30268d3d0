/**
 * What a dream maximises: a weighted sum of per-layer terms, built into the graph by the
 * autodiff pass so that one ORT session returns the objective and d(objective)/d(image).
 */

/** mean(activation) or mean(activation^2) over a layer, optionally over chosen channels only. */
export interface LayerTerm {
  kind: 'layer';
  /** Name of the activation tensor in the graph. */
  layer: string;
  weight: number;
  reduce: 'mean' | 'meanSquare';
  /** Channel indices (NCHW axis 1); all channels when absent. */
  channels?: number[];
}

/**
 * Guided dreaming (Google's notebook): the graph gets an extra float input named
 * `guideInputName(layer)` of shape [C, M] (M guide feature vectors). Each position of the
 * layer's activation x[:, p] picks the guide vector g with the largest dot product x·g, and the
 * term is mean over positions of x[:, p]·g_best(p). The match is not differentiated
 * (integer ArgMax), so the gradient with respect to the activation is the matched guide vector.
 */
export interface GuideTerm {
  kind: 'guide';
  layer: string;
  weight: number;
}

export type ObjectiveTerm = LayerTerm | GuideTerm;

export interface Objective {
  terms: ObjectiveTerm[];
}

export const guideInputName = (layer: string): string => `guide_features__${layer}`;

/** Output names of a gradient model. */
export const OBJECTIVE_OUTPUT = 'objective';
export const GRADIENT_OUTPUT = 'gradient';

/**
 * What a compiled gradient depends on: the objective without its channel lists, which the graph
 * reads from inputs. Objectives with the same key share one compiled model.
 */
export function objectiveStructureKey(objective: Objective): string {
  return JSON.stringify(
    objective.terms.map((t) =>
      t.kind === 'layer'
        ? { kind: t.kind, layer: t.layer, weight: t.weight, reduce: t.reduce, channels: t.channels !== undefined }
        : { kind: t.kind, layer: t.layer, weight: t.weight },
    ),
  );
}

/** Throws unless every channel is an index of a layer with `channelCount` channels. */
export function checkChannels(layer: string, channelCount: number, channels: readonly number[]): void {
  const outOfRange = channels.find((c) => !Number.isInteger(c) || c < 0 || c >= channelCount);
  if (outOfRange !== undefined) {
    throw new Error(`channel ${outOfRange} is out of range: layer '${layer}' has channels 0 to ${channelCount - 1}`);
  }
}
