/** An RGB image in float pixel values 0..255, interleaved HWC (row-major, R G B per pixel). */
export interface RgbImage {
  width: number;
  height: number;
  data: Float32Array;
}

export function createRgbImage(width: number, height: number, data?: Float32Array): RgbImage {
  const size = width * height * 3;
  if (data && data.length !== size) {
    throw new Error(`image data has ${data.length} values, ${width}x${height} RGB needs ${size}`);
  }
  return { width, height, data: data ?? new Float32Array(size) };
}
