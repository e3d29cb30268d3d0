/**
 * Fake gradient sources for dream tests: simple objectives with known gradients, so tiling,
 * rolls, octaves and normalization can be checked exactly without a network.
 */
import type { Objective } from '../../src/core/autodiff/objective.js';
import type { GradientResult, GradientSession } from '../../src/core/engine/gradient-session.js';
import { createRgbImage, type RgbImage } from '../../src/core/image/rgb.js';
import { createRandom } from '../../src/core/dream/random.js';
import type { Activations, DreamBackend } from '../../src/core/dream/backend.js';
import type { DreamLayer } from '../../src/core/dream/options.js';
import type { TileShape } from '../../src/core/engine/gradient-session.js';

/**
 * Gradient of a tile (NCHW [3, h, w]) as a function of the tile:
 * - ones: objective sum(x), gradient 1 everywhere;
 * - identity: objective sum(x^2)/2, gradient x (follows the image wherever the tile is);
 * - redOnly: objective sum(red), gradient 1 on the red plane, 0 elsewhere;
 * - grid: a fixed pattern in tile coordinates (depends on where tiles fall, i.e. on the rolls);
 * - zero: a constant objective.
 */
export type FakeKind = 'ones' | 'identity' | 'redOnly' | 'grid' | 'zero';

export function fakeGradient(kind: FakeKind, tile: Float32Array, height: number, width: number): Float32Array {
  const plane = height * width;
  const g = new Float32Array(tile.length);
  for (let i = 0; i < tile.length; i++) {
    const q = i % plane;
    g[i] =
      kind === 'ones'
        ? 1
        : kind === 'identity'
          ? tile[i]!
          : kind === 'redOnly'
            ? i < plane
              ? 1
              : 0
            : kind === 'grid'
              ? ((Math.floor(q / width) * 3 + (q % width)) % 7) - 3
              : 0;
  }
  return g;
}

export interface FakeSession extends GradientSession {
  runs: number;
  released: boolean;
  extraInputs: Array<Record<string, { dims: number[]; data: Float32Array }> | undefined>;
}

export function fakeSession(kind: FakeKind, tile: TileShape, delayMs = 0): FakeSession {
  const session: FakeSession = {
    tileHeight: tile.height,
    tileWidth: tile.width,
    runs: 0,
    released: false,
    extraInputs: [],
    async run(input, extraInputs): Promise<GradientResult> {
      if (input.length !== 3 * tile.height * tile.width) throw new Error('fake session: wrong tile length');
      session.runs++;
      session.extraInputs.push(extraInputs);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return { objective: 0, gradient: fakeGradient(kind, input, tile.height, tile.width) };
    },
    async release() {
      session.released = true;
    },
  };
  return session;
}

export interface FakeBackend extends DreamBackend {
  sessions: Array<{ objective: Objective; tile: TileShape; session: FakeSession }>;
  activationCalls: Array<{ layer: string; width: number; height: number }>;
  released: boolean;
}

export function fakeBackend(kind: FakeKind, opts: { minInputSize?: number; delayMs?: number } = {}): FakeBackend {
  const backend: FakeBackend = {
    minInputSize: opts.minInputSize ?? 8,
    sessions: [],
    activationCalls: [],
    released: false,
    resolveLayers(layers: DreamLayer[]): DreamLayer[] {
      if (layers.some((l) => l.name === 'missing')) throw new Error("unknown layer 'missing'");
      return layers.length > 0 ? layers : [{ name: 'fake_default', weight: 1 }];
    },
    async gradientSession(objective, tile) {
      const session = fakeSession(kind, tile, opts.delayMs);
      backend.sessions.push({ objective, tile, session });
      return session;
    },
    async activations(layer: string, image: RgbImage): Promise<Activations> {
      backend.activationCalls.push({ layer, width: image.width, height: image.height });
      const h = Math.ceil(image.height / 4);
      const w = Math.ceil(image.width / 4);
      return { dims: [1, 5, h, w], data: new Float32Array(5 * h * w).fill(0.5) };
    },
    async release() {
      backend.released = true;
    },
  };
  return backend;
}

/** A photo of seeded random pixels in 40..210 (no clipping at either end of the range). */
export function randomPhoto(width: number, height: number, seed = 1): RgbImage {
  const random = createRandom(seed);
  return createRgbImage(
    width,
    height,
    Float32Array.from({ length: width * height * 3 }, () => 40 + 170 * random()),
  );
}
