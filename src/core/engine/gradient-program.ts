/**
 * A compiled gradient loaded in a runtime session: one per objective structure and tile shape.
 * Bound to an objective's channel lists, it is that objective's GradientSession.
 */
import { channelFeeds, type Float32Feeds } from '../autodiff/objective-graph.js';
import { GRADIENT_OUTPUT, OBJECTIVE_OUTPUT, type Objective, objectiveStructureKey } from '../autodiff/objective.js';
import type { CompiledGradient } from './compile.js';
import type { GradientResult, GradientSession } from './gradient-session.js';
import { float32Output, type RuntimeSession } from './runtime.js';

export class GradientProgram {
  constructor(
    private readonly compiled: CompiledGradient,
    private readonly session: RuntimeSession,
  ) {}

  /** `objective`'s session: the compiled structure, fed with its channel lists. */
  bind(objective: Objective): GradientSession {
    if (objectiveStructureKey(objective) !== this.compiled.structure) {
      throw new Error('engine: the objective differs from the compiled one in more than its channel lists');
    }
    const parameters = channelFeeds(this.compiled.channelInputs, objective);
    const { height, width } = this.compiled.tile;
    return {
      tileHeight: height,
      tileWidth: width,
      run: (tile, extraInputs = {}) => this.run(tile, { ...parameters, ...extraInputs }),
      release: () => this.release(),
    };
  }

  release(): Promise<void> {
    return this.session.release();
  }

  private async run(tile: Float32Array, inputs: Float32Feeds): Promise<GradientResult> {
    const { height, width } = this.compiled.tile;
    const expected = 3 * height * width;
    if (tile.length !== expected) throw new Error(`tile has ${tile.length} values, the session expects ${expected}`);
    const outputs = await this.session.run({
      [this.compiled.inputName]: { dims: [1, 3, height, width], data: tile },
      ...inputs,
    });
    return {
      objective: float32Output(outputs, OBJECTIVE_OUTPUT).data[0]!,
      gradient: float32Output(outputs, GRADIENT_OUTPUT).data,
    };
  }
}
