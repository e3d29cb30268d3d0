/** Octave pyramid sizes and the rule for images too small for the network. */

export interface Size {
  width: number;
  height: number;
}

/**
 * Sizes to dream at, smallest first, ending with the full size: octave k of n is the image
 * shrunk by scale^(n-1-k). Octaves whose shorter side would fall below `minSide` (the network's
 * minimum input) are dropped, so small images get fewer octaves rather than a failing network.
 */
export function octaveSizes(width: number, height: number, octaves: number, scale: number, minSide: number): Size[] {
  const sizes: Size[] = [];
  for (let k = octaves - 1; k >= 1; k--) {
    const factor = scale ** k;
    const size = { width: Math.round(width / factor), height: Math.round(height / factor) };
    if (Math.min(size.width, size.height) >= minSide) sizes.push(size);
  }
  sizes.push({ width, height });
  return sizes;
}

/**
 * The size the dream runs at: the image's own, or, when its shorter side is below `minSide`,
 * the image enlarged (aspect kept) until it reaches `minSide`; the result is shrunk back.
 */
export function workingSize(width: number, height: number, minSide: number): Size {
  const shorter = Math.min(width, height);
  if (shorter >= minSide) return { width, height };
  const factor = minSide / shorter;
  return { width: Math.max(minSide, Math.ceil(width * factor)), height: Math.max(minSide, Math.ceil(height * factor)) };
}
