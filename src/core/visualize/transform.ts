/**
 * Transformation robustness: each step the network sees the image shifted, scaled and rotated at
 * random (bilinear resampling, grey beyond the edges), so only patterns that survive small
 * changes of position, size and angle gain, not the pixel-exact noise that fools it otherwise.
 * The gradient goes back through the adjoint of the same resampling.
 */
import type { Random } from '../dream/random.js';

export interface TransformRanges {
  /** Largest shift, in pixels, along each axis. */
  jitter: number;
  /** Scale factors drawn uniformly from [1 - scale, 1 + scale]. */
  scale: number;
  /** Rotation drawn uniformly from [-rotate, rotate] degrees. */
  rotate: number;
}

/** Grey, the value the network sees beyond the image's edges. */
export const FILL = 127.5;

/**
 * One drawn transform as a sampling plan: each output pixel reads up to four source pixels
 * (index -1: beyond the edge, which reads FILL).
 */
export class Resampling {
  private constructor(
    readonly width: number,
    readonly height: number,
    private readonly sources: Int32Array,
    private readonly weights: Float32Array,
  ) {}

  /** Output pixel (x, y) reads the image at A·(x - c - t) + c, A = rotation(-angle) / scale. */
  static draw(random: Random, width: number, height: number, ranges: TransformRanges): Resampling {
    const uniform = (half: number) => (2 * random() - 1) * half;
    const shiftX = uniform(ranges.jitter);
    const shiftY = uniform(ranges.jitter);
    const factor = 1 + uniform(ranges.scale);
    const angle = (uniform(ranges.rotate) * Math.PI) / 180;
    const cos = Math.cos(angle) / factor;
    const sin = Math.sin(angle) / factor;
    const cx = width / 2;
    const cy = height / 2;
    const plane = width * height;
    const sources = new Int32Array(4 * plane);
    const weights = new Float32Array(4 * plane);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const dx = x + 0.5 - cx - shiftX;
        const dy = y + 0.5 - cy - shiftY;
        // Source position in pixel-centre coordinates.
        const sx = cos * dx + sin * dy + cx - 0.5;
        const sy = -sin * dx + cos * dy + cy - 0.5;
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        let at = 4 * (y * width + x);
        for (let dy = 0; dy < 2; dy++) {
          for (let dx = 0; dx < 2; dx++, at++) {
            const px = x0 + dx;
            const py = y0 + dy;
            const inside = px >= 0 && px < width && py >= 0 && py < height;
            sources[at] = inside ? py * width + px : -1;
            weights[at] = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy);
          }
        }
      }
    }
    return new Resampling(width, height, sources, weights);
  }

  /** The transformed image (planar RGB) into `out` at `offset`. */
  apply(image: Float32Array, out: Float32Array, offset = 0): void {
    const plane = this.width * this.height;
    for (let c = 0; c < 3; c++) {
      const base = c * plane;
      for (let p = 0; p < plane; p++) {
        let value = 0;
        for (let k = 4 * p; k < 4 * p + 4; k++) {
          const source = this.sources[k]!;
          value += this.weights[k]! * (source < 0 ? FILL : image[base + source]!);
        }
        out[offset + base + p] = value;
      }
    }
  }

  /** d/d(image) into `out` given d/d(transformed image) at `offset` of `gradient`: the adjoint of apply. */
  adjoint(gradient: Float32Array, out: Float32Array, offset = 0): void {
    const plane = this.width * this.height;
    out.fill(0);
    for (let c = 0; c < 3; c++) {
      const base = c * plane;
      for (let p = 0; p < plane; p++) {
        const g = gradient[offset + base + p]!;
        for (let k = 4 * p; k < 4 * p + 4; k++) {
          const source = this.sources[k]!;
          if (source >= 0) out[base + source]! += this.weights[k]! * g;
        }
      }
    }
  }
}
