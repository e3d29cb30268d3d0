/**
 * An image held as a scaled spectrum in decorrelated colour (Olah et al., "Feature Visualization",
 * Distill 2017): each frequency's coefficient is divided by the frequency, so equal steps on all
 * parameters change low frequencies as much as high ones and the optimiser draws shapes instead
 * of pixel noise; colours come from the ImageNet colour correlation's square root, so a step moves
 * along the colour directions natural images vary in; a sigmoid keeps every pixel valid.
 */
import type { Random } from '../dream/random.js';
import { fft2d, powerOfTwoAtLeast } from './fft.js';

const COLOR_GAIN = 2;

/**
 * Square root of the colour correlation of ImageNet pixels (RGB, from its SVD), scaled so its
 * brightness column has unit norm: decorrelated colour -> RGB. The two colour columns get
 * COLOR_GAIN: with the few dozen steps an atlas affords, the natural proportions leave images
 * pastel.
 */
const COLOR_SQRT = (() => {
  const m = [
    [0.26, 0.09, 0.02],
    [0.27, 0.0, -0.05],
    [0.27, -0.09, 0.03],
  ];
  const brightness = Math.hypot(m[0]![0]!, m[1]![0]!, m[2]![0]!);
  return m.map((row) => row.map((v, j) => (j === 0 ? v : COLOR_GAIN * v) / brightness));
})();

/** RGB -> decorrelated colour. */
const COLOR_SQRT_INVERSE = invert3x3(COLOR_SQRT);

/** Standard deviation of the starting spectrum: a faint, nearly grey image. */
const INITIAL_SPREAD = 0.01;

/**
 * Spectrum amplitude divides by frequency^DECAY: a little steeper than the 1/f falloff of natural
 * images, so that large shapes form within few steps.
 */
const DECAY = 1.25;

/**
 * Scales the whole image down so the sigmoid starts in its linear range (the parameters' scale is
 * what the learning rate is relative to).
 */
const OUTPUT_SCALE = 0.25;

/**
 * Images of `width` x `height` as parameters, planar RGB 0..255 out: the spectrum lives on a
 * power-of-two grid at least as large (the image is its top-left corner, so it need not tile).
 */
export class FourierImage {
  /** Spectrum grid rows and columns. */
  readonly rows: number;
  readonly columns: number;
  /**
   * Parameter count: re and im of 3 spectra, in that order (channel 0 re, channel 0 im, ...), each
   * rows x columns, in decorrelated colour.
   */
  readonly size: number;
  /** Per-frequency amplitude, times the inverse transform's normalization and OUTPUT_SCALE. */
  private readonly scale: Float64Array;
  /** The cell of the opposite frequency, -k, of each cell k. */
  private readonly mirror: Uint32Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
      throw new Error(`image size must be positive integers, got ${width}x${height}`);
    this.rows = powerOfTwoAtLeast(height);
    this.columns = powerOfTwoAtLeast(width);
    const cells = this.rows * this.columns;
    this.size = 6 * cells;
    this.scale = frequencyScale(this.rows, this.columns);
    this.mirror = mirrorCells(this.rows, this.columns);
    this.re = new Float64Array(cells);
    this.im = new Float64Array(cells);
  }

  /** A faint random start. */
  initialParameters(random: Random): Float32Array {
    const params = new Float32Array(this.size);
    for (let i = 0; i < params.length; i += 2) {
      // Box–Muller: two normal values per two uniform ones.
      const radius = INITIAL_SPREAD * Math.sqrt(-2 * Math.log(1 - random()));
      const angle = 2 * Math.PI * random();
      params[i] = radius * Math.cos(angle);
      params[i + 1] = radius * Math.sin(angle);
    }
    return params;
  }

  /**
   * The parameters whose image is `pixels` (planar RGB 0..255; values at 0 or 255 come out
   * slightly inside, where the sigmoid is finite): render's inverse.
   */
  parametersOf(pixels: Float32Array): Float32Array {
    const params = new Float32Array(this.size);
    this.checkLengths(params, pixels);
    const plane = this.width * this.height;
    const cells = this.rows * this.columns;
    const { re, im, scale } = this;
    const linear = [0, 1, 2].map((c) =>
      Float64Array.from(pixels.subarray(c * plane, (c + 1) * plane), (v) => {
        const s = Math.min(Math.max(v / 255, 1e-3), 1 - 1e-3);
        return Math.log(s / (1 - s));
      }),
    );
    for (let channel = 0; channel < 3; channel++) {
      const row = COLOR_SQRT_INVERSE[channel]!;
      this.uncrop(re, (p) => row[0]! * linear[0]![p]! + row[1]! * linear[1]![p]! + row[2]! * linear[2]![p]!);
      im.fill(0);
      fft2d(re, im, this.rows, this.columns, -1);
      for (let k = 0; k < cells; k++) {
        params[2 * channel * cells + k] = re[k]! / (cells * scale[k]!);
        params[(2 * channel + 1) * cells + k] = im[k]! / (cells * scale[k]!);
      }
    }
    return params;
  }

  /** The image of `params` into `pixels`: planar RGB (3 planes of height x width), 0..255. */
  render(params: Float32Array, pixels: Float32Array): void {
    this.checkLengths(params, pixels);
    const plane = this.width * this.height;
    const cells = this.rows * this.columns;
    const { re, im, scale, mirror } = this;
    const decorrelated = [0, 1, 2].map(() => new Float64Array(plane));
    // Only the real part of an inverse transform is kept, which is the inverse transform of the
    // spectrum's Hermitian part; two of those make two real images in one complex transform.
    for (let k = 0; k < cells; k++) {
      const m = mirror[k]!;
      const [sk, sm] = [0.5 * scale[k]!, 0.5 * scale[m]!];
      const aRe = sk * params[k]! + sm * params[m]!;
      const aIm = sk * params[cells + k]! - sm * params[cells + m]!;
      const bRe = sk * params[2 * cells + k]! + sm * params[2 * cells + m]!;
      const bIm = sk * params[3 * cells + k]! - sm * params[3 * cells + m]!;
      re[k] = aRe - bIm;
      im[k] = aIm + bRe;
    }
    fft2d(re, im, this.rows, this.columns, 1);
    this.crop(re, decorrelated[0]!);
    this.crop(im, decorrelated[1]!);
    for (let k = 0; k < cells; k++) {
      re[k] = scale[k]! * params[4 * cells + k]!;
      im[k] = scale[k]! * params[5 * cells + k]!;
    }
    fft2d(re, im, this.rows, this.columns, 1);
    this.crop(re, decorrelated[2]!);
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) {
        const row = COLOR_SQRT[c]!;
        const linear = row[0]! * decorrelated[0]![p]! + row[1]! * decorrelated[1]![p]! + row[2]! * decorrelated[2]![p]!;
        pixels[c * plane + p] = 255 / (1 + Math.exp(-linear));
      }
    }
  }

  /**
   * d(objective)/d(params) into `gradient`, given d(objective)/d(pixels) (planar) at `pixels`, the
   * image `render` made: the chain rule back through the sigmoid, the colour matrix and the
   * inverse transform (whose adjoint is the forward transform).
   */
  backward(pixels: Float32Array, pixelGradient: Float32Array, gradient: Float32Array): void {
    this.checkLengths(gradient, pixels);
    if (pixelGradient.length !== pixels.length) throw new Error('fourier image: gradient and pixels differ in length');
    const plane = this.width * this.height;
    const cells = this.rows * this.columns;
    const { re, im, scale, mirror } = this;
    const linear = [0, 1, 2].map(() => new Float64Array(plane));
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < plane; p++) {
        const s = pixels[c * plane + p]! / 255;
        linear[c]![p] = 255 * s * (1 - s) * pixelGradient[c * plane + p]!;
      }
    }
    const decorrelated = (channel: number) => (p: number) =>
      COLOR_SQRT[0]![channel]! * linear[0]![p]! +
      COLOR_SQRT[1]![channel]! * linear[1]![p]! +
      COLOR_SQRT[2]![channel]! * linear[2]![p]!;
    // Two real gradients a, b in one forward transform V = F(a + ib), told apart by symmetry:
    // F(a) = (V + conj(V at -k)) / 2 and F(b) = (V - conj(V at -k)) / 2i.
    this.uncrop(re, decorrelated(0));
    this.uncrop(im, decorrelated(1));
    fft2d(re, im, this.rows, this.columns, -1);
    for (let k = 0; k < cells; k++) {
      const m = mirror[k]!;
      const half = 0.5 * scale[k]!;
      gradient[k] = half * (re[k]! + re[m]!);
      gradient[cells + k] = half * (im[k]! - im[m]!);
      gradient[2 * cells + k] = half * (im[k]! + im[m]!);
      gradient[3 * cells + k] = half * (re[m]! - re[k]!);
    }
    this.uncrop(re, decorrelated(2));
    im.fill(0);
    fft2d(re, im, this.rows, this.columns, -1);
    for (let k = 0; k < cells; k++) {
      gradient[4 * cells + k] = scale[k]! * re[k]!;
      gradient[5 * cells + k] = scale[k]! * im[k]!;
    }
  }

  /** The image's corner of a grid. */
  private crop(grid: Float64Array, out: Float64Array): void {
    for (let y = 0; y < this.height; y++)
      for (let x = 0; x < this.width; x++) out[y * this.width + x] = grid[y * this.columns + x]!;
  }

  /** A grid holding `value` of each image pixel in its corner, zero elsewhere. */
  private uncrop(grid: Float64Array, value: (p: number) => number): void {
    grid.fill(0);
    for (let y = 0; y < this.height; y++)
      for (let x = 0; x < this.width; x++) grid[y * this.columns + x] = value(y * this.width + x);
  }

  private checkLengths(params: Float32Array, pixels: Float32Array): void {
    if (params.length !== this.size)
      throw new Error(`fourier image: ${params.length} parameters, expected ${this.size}`);
    if (pixels.length !== 3 * this.width * this.height)
      throw new Error(`fourier image: ${pixels.length} pixel values, expected ${3 * this.width * this.height}`);
  }
}

/**
 * 1 / max(f, 1 / largest side)^DECAY per grid cell (f in cycles per pixel, both signs folded), times
 * the inverse transform's 1/sqrt(cells) (unitary overall) and OUTPUT_SCALE.
 */
function frequencyScale(rows: number, columns: number): Float64Array {
  const scale = new Float64Array(rows * columns);
  const floor = 1 / Math.max(rows, columns);
  const normalization = OUTPUT_SCALE / Math.sqrt(rows * columns);
  for (let ky = 0; ky < rows; ky++) {
    const fy = Math.min(ky, rows - ky) / rows;
    for (let kx = 0; kx < columns; kx++) {
      const fx = Math.min(kx, columns - kx) / columns;
      scale[ky * columns + kx] = normalization / Math.max(Math.hypot(fy, fx), floor) ** DECAY;
    }
  }
  return scale;
}

/** The cell of frequency -k for each cell k of the grid. */
function mirrorCells(rows: number, columns: number): Uint32Array {
  const mirror = new Uint32Array(rows * columns);
  for (let ky = 0; ky < rows; ky++)
    for (let kx = 0; kx < columns; kx++)
      mirror[ky * columns + kx] = ((rows - ky) % rows) * columns + ((columns - kx) % columns);
  return mirror;
}

function invert3x3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m as [
    [number, number, number],
    [number, number, number],
    [number, number, number],
  ];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}
