/** ||actual - expected|| / ||expected||: how the tests compare tensors with references. */
export function relativeL2(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < actual.length; i++) {
    diff += (actual[i]! - expected[i]!) ** 2;
    norm += expected[i]! ** 2;
  }
  return Math.sqrt(diff / Math.max(norm, 1e-30));
}
