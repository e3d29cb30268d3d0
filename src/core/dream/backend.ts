/**
 * What a dream needs from a network, as an interface so the algorithm can run on the real
 * engine (model-backend.ts) or on small fakes in tests.
 */
import type { Objective } from '../autodiff/objective.js';
import type { GradientSession, TileShape } from '../engine/gradient-session.js';
import type { RgbImage } from '../image/rgb.js';
import type { ClassTarget } from './class-target.js';
import type { DreamLayer, DreamOptions } from './options.js';

export interface Activations {
  /** NCHW, N = 1. */
  dims: number[];
  data: Float32Array;
}

export interface DreamBackend {
  /** Smallest image side the network accepts. */
  readonly minInputSize: number;
  /**
   * The layers to dream: `layers` as given, or the model's default layer (weight 1) when empty,
   * each named by its tensor (a block's name becomes its output's).
   * Throws a one-line error for an unknown or undreamable layer, or a channel out of range.
   */
  resolveLayers(layers: DreamLayer[], channels?: number[]): DreamLayer[];
  /**
   * Class visualization: the objective for a class (label name or number) and the input size
   * the classifier head requires, if any. Throws a one-line error for an unknown class or a
   * model without a classifier. Backends without classifiers leave it out.
   */
  resolveClass?(label: string): ClassTarget;
  /** A session for this objective and tile shape; owned (and possibly cached) by the backend. */
  gradientSession(objective: Objective, tile: TileShape): Promise<GradientSession>;
  /** A layer's activation for a whole image (guided dreaming). */
  activations(layer: string, image: RgbImage): Promise<Activations>;
  /** Releases every session created so far; later calls may create new ones. */
  release(): Promise<void>;
}

/**
 * What a module named by `dream()`'s `backendModule` exports as `createBackend`: lets worker
 * threads use another gradient source (tests, other engines), since functions cannot be sent
 * to a worker. The long-lived worker calls it once per model and reuses the backend for every
 * dream with that model until another model is asked for.
 */
export type BackendFactory = (options: DreamOptions) => Promise<DreamBackend>;
