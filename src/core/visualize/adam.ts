/**
 * Adam (Kingma & Ba, 2015) for gradient ascent: per-parameter step sizes from running moments of
 * the gradient, so the step does not depend on the objective's scale, which differs by layer,
 * channel and model.
 */
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

export class Adam {
  private readonly first: Float32Array;
  private readonly second: Float32Array;
  private steps = 0;

  constructor(
    size: number,
    private readonly learningRate: number,
  ) {
    this.first = new Float32Array(size);
    this.second = new Float32Array(size);
  }

  /** params += one step up `gradient`. */
  ascend(params: Float32Array, gradient: Float32Array): void {
    if (params.length !== this.first.length || gradient.length !== this.first.length)
      throw new Error(`adam: expected ${this.first.length} parameters and gradient values`);
    this.steps++;
    const rate = (this.learningRate * Math.sqrt(1 - BETA2 ** this.steps)) / (1 - BETA1 ** this.steps);
    for (let i = 0; i < params.length; i++) {
      const g = gradient[i]!;
      const m = BETA1 * this.first[i]! + (1 - BETA1) * g;
      const v = BETA2 * this.second[i]! + (1 - BETA2) * g * g;
      this.first[i] = m;
      this.second[i] = v;
      params[i] = params[i]! + (rate * m) / (Math.sqrt(v) + EPSILON);
    }
  }
}
