/**
 * One compiled gradient computation: a model, an objective and a fixed tile shape, run by a
 * single runtime session that returns the objective and d(objective)/d(image).
 * Image tiles are NCHW float32 [1, 3, tileHeight, tileWidth], RGB pixel values 0..255:
 * each model's preprocessing (scaling, mean, channel order) lives inside its graph.
 */

export interface TileShape {
  height: number;
  width: number;
}

export interface GradientResult {
  objective: number;
  /** Same layout and length as the input tile. */
  gradient: Float32Array;
}

export interface GradientSession {
  readonly tileHeight: number;
  readonly tileWidth: number;
  /** `extraInputs` feeds guide features (see autodiff/objective.ts guideInputName). */
  run(
    tile: Float32Array,
    extraInputs?: Record<string, { dims: number[]; data: Float32Array }>,
  ): Promise<GradientResult>;
  release(): Promise<void>;
}
