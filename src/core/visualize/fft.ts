/**
 * The discrete Fourier transform of complex 2-D grids whose sides are powers of two (iterative
 * radix-2 Cooley–Tukey), in place on separate real and imaginary arrays. Unnormalized both ways:
 * inverse(forward(x)) = rows * columns * x.
 */

/** Bit-reversal permutation and twiddles (cos, sin of 2πk/n) for one transform length. */
interface Plan {
  reversed: Uint32Array;
  cos: Float64Array;
  sin: Float64Array;
}

const plans = new Map<number, Plan>();

export const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;

/** The smallest power of two at least `n`. */
export const powerOfTwoAtLeast = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

function planFor(n: number): Plan {
  const known = plans.get(n);
  if (known) return known;
  if (!isPowerOfTwo(n)) throw new Error(`fft: length must be a power of two, got ${n}`);
  const bits = Math.log2(n);
  const reversed = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    reversed[i] = r;
  }
  const cos = new Float64Array(n / 2);
  const sin = new Float64Array(n / 2);
  for (let k = 0; k < n / 2; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = Math.sin((2 * Math.PI * k) / n);
  }
  const plan = { reversed, cos, sin };
  plans.set(n, plan);
  return plan;
}

/**
 * Transforms `width` sequences of length n stored as n blocks of `width` values from `offset`
 * (value i of sequence x at offset + i * width + x): each butterfly works on two whole blocks, so
 * the column pass runs over contiguous memory. A row is the case width 1.
 * `sign` -1: forward (e^{-2πi kn/N}); +1: inverse without the 1/N.
 */
function transformBlocks(
  re: Float64Array,
  im: Float64Array,
  offset: number,
  n: number,
  width: number,
  sign: 1 | -1,
): void {
  const { reversed, cos, sin } = planFor(n);
  for (let i = 0; i < n; i++) {
    const j = reversed[i]!;
    if (j <= i) continue;
    for (let x = 0, a = offset + i * width, b = offset + j * width; x < width; x++, a++, b++) {
      const r = re[a]!;
      re[a] = re[b]!;
      re[b] = r;
      const m = im[a]!;
      im[a] = im[b]!;
      im[b] = m;
    }
  }
  for (let size = 2; size <= n; size *= 2) {
    const half = size / 2;
    const step = n / size;
    for (let k = 0; k < half; k++) {
      const wr = cos[k * step]!;
      const wi = sign * sin[k * step]!;
      for (let start = 0; start < n; start += size) {
        let a = offset + (start + k) * width;
        let b = a + half * width;
        for (let x = 0; x < width; x++, a++, b++) {
          const br = re[b]! * wr - im[b]! * wi;
          const bi = re[b]! * wi + im[b]! * wr;
          re[b] = re[a]! - br;
          im[b] = im[a]! - bi;
          re[a] = re[a]! + br;
          im[a] = im[a]! + bi;
        }
      }
    }
  }
}

/**
 * Transforms a rows x columns grid (row-major) in place: each row, then each column.
 * `sign` -1 is the forward transform, +1 the inverse without its 1/(rows*columns).
 */
export function fft2d(re: Float64Array, im: Float64Array, rows: number, columns: number, sign: 1 | -1): void {
  if (re.length !== rows * columns || im.length !== rows * columns)
    throw new Error(`fft: a ${rows}x${columns} grid needs ${rows * columns} values`);
  for (let row = 0; row < rows; row++) transformBlocks(re, im, row * columns, columns, 1, sign);
  transformBlocks(re, im, 0, rows, columns, sign);
}
