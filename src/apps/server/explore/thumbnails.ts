/**
 * Channel thumbnails: each channel's feature visualization, rendered once in the background lane
 * and kept on disk for everyone, in the layout and under the keys of a `deepdream atlas` folder
 * (model hash, layer, channel, settings), so a later request, a restart or another visitor gets
 * the file at once.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LayerInfo, LoadedModel } from '../../../core/models/types.js';
import { channel } from '../../../core/visualize/objective.js';
import type { FeatureProgram } from '../../../core/visualize/program.js';
import { imageSettings, resolveVisualizeSettings, type VisualizeSettings } from '../../../core/visualize/settings.js';
import { visualize } from '../../../core/visualize/visualize.js';
import { atlasImage, atlasKey } from '../../../node/atlas/atlas.js';
import { writeImage } from '../../../node/image/write.js';
import { openFeatureProgram } from '../../../node/visualize/features.js';
import type { BackgroundLane } from './lane.js';

export interface Thumbnail {
  model: LoadedModel;
  layer: LayerInfo;
  channel: number;
  /** Side in pixels. */
  size: number;
}

export interface ThumbnailsOptions {
  /** The atlas folder thumbnails are kept in. */
  folder: string;
  /** Visualization settings; each request sets the size. */
  settings: VisualizeSettings;
  lane: BackgroundLane;
  /** ORT threads of the renders. */
  threads: number;
}

export class Thumbnails {
  /** Atlas keys by model, layer and size: hashing the model takes a moment. */
  private readonly keys = new Map<string, string>();
  /** The program of the latest render, kept for the next channel of its layer. */
  private program: { id: string; ready: Promise<FeatureProgram> } | undefined;
  /** The render in progress (the lane runs one at a time), which closing waits for. */
  private rendering: Promise<void> | undefined;
  private readonly closing = new AbortController();

  constructor(private readonly options: ThumbnailsOptions) {}

  /** The PNG, when it has been rendered (by anyone, ever). */
  async cached(thumbnail: Thumbnail): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(thumbnail));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /**
   * Asks the lane for the thumbnail (joining a render already asked for) for as long as `signal`
   * is live; returns its place in the lane (0: rendering now).
   */
  request(thumbnail: Thumbnail, signal: AbortSignal): number {
    const path = this.path(thumbnail);
    // Once started, a render runs to its end even if its askers leave: it is kept for everyone,
    // and a busy server may answer polls late.
    this.options.lane
      .run(path, () => this.render(thumbnail, path), signal)
      .catch(() => {
        // The asker polls again and finds the file, or asks again; a render that failed for a bug
        // is retried by the next poll.
      });
    return this.options.lane.position(path) ?? 0;
  }

  /** Stops the render in progress after its current step and frees the kept program. */
  async close(): Promise<void> {
    this.closing.abort(new Error('the server is closing'));
    await this.rendering?.catch(() => undefined);
    await this.releaseProgram();
  }

  private async releaseProgram(): Promise<void> {
    const kept = this.program;
    this.program = undefined;
    await kept?.ready.then((p) => p.release()).catch(() => undefined);
  }

  private path({ model, layer, channel: c, size }: Thumbnail): string {
    const id = JSON.stringify([model.name, layer.name, size]);
    let key = this.keys.get(id);
    if (key === undefined) {
      key = atlasKey(model, layer.name, imageSettings(this.settingsAt(size)));
      this.keys.set(id, key);
    }
    return join(this.options.folder, atlasImage(model.name, layer.name, c, key));
  }

  private settingsAt(size: number): VisualizeSettings {
    return resolveVisualizeSettings({ ...this.options.settings, size, batch: 1 });
  }

  private render(thumbnail: Thumbnail, path: string): Promise<void> {
    this.rendering = (async () => {
      const settings = this.settingsAt(thumbnail.size);
      const objective = channel(thumbnail.layer.name, thumbnail.channel);
      const program = await this.programFor(thumbnail, settings);
      const [image] = await visualize([objective], program, settings, { signal: this.closing.signal });
      await mkdir(dirname(path), { recursive: true });
      await writeImage(path, image!);
    })();
    return this.rendering;
  }

  private programFor({ model, layer, size }: Thumbnail, settings: VisualizeSettings): Promise<FeatureProgram> {
    const id = JSON.stringify([model.name, layer.name, size]);
    if (this.program?.id !== id) {
      void this.releaseProgram();
      const ready = openFeatureProgram(model, channel(layer.name, 0), settings, 1, { threads: this.options.threads });
      this.program = { id, ready };
      ready.catch(() => {
        if (this.program?.ready === ready) this.program = undefined;
      });
    }
    return this.program!.ready;
  }
}
