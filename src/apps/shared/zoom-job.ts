/**
 * A studio zoom: the endless zoom of `deepdream zoom`, started from the job's photo, its frames
 * dreamed in this process's dream worker and checkpointed in the job's work folder (so a zoom
 * stopped by a restart continues from its last frame), then encoded as an MP4 with its recipe.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkerDreamDeps } from '../../node/dream/index.js';
import { workerDreamer } from '../../node/video/dreamer.js';
import { prepareZoom, renderZoom, type ZoomOptions } from '../../node/video/zoom.js';
import type { RenderProgress } from '../../core/video/progress.js';
import { imagePreviews } from './dream-preview.js';
import type { DreamJobControl, DreamJobSpec, ZoomJobProgress, ZoomJobSettings } from './dream-job.js';
import { zoomRecipe } from './recipe.js';

/** Renders the zoom of `spec` and resolves with the MP4's bytes. */
export async function runZoomJob(
  spec: DreamJobSpec & { zoom: ZoomJobSettings },
  photoBytes: Uint8Array,
  control: DreamJobControl,
  deps: WorkerDreamDeps = {},
): Promise<Buffer> {
  const { workDir } = control;
  const dir = workDir
    ? await mkdir(workDir, { recursive: true }).then(() => workDir)
    : await mkdtemp(join(tmpdir(), 'inceptionism-zoom-'));
  const bytes = Buffer.from(photoBytes.buffer, photoBytes.byteOffset, photoBytes.byteLength);
  const { frames, fps, move, colorLock } = spec.zoom;
  const options: ZoomOptions = {
    output: join(dir, 'zoom.mp4'),
    frames,
    fps,
    from: { name: spec.name, bytes, maxSize: spec.maxSize, maxPixels: spec.maxPixels },
    move,
    schedule: [],
    colorLock,
    seed: spec.options.seed,
    dreamSettings: { ...spec.options },
  };
  try {
    const zoom = await prepareZoom(options);
    const recipe = zoomRecipe(options, spec.options, { name: spec.name, bytes: bytes.byteLength });
    const { signal, onPreview } = control;
    const previews = onPreview && imagePreviews(zoom.start, onPreview, signal);
    await renderZoom(
      { ...zoom, options: { ...options, recipe } },
      workerDreamer(spec.options, { ...deps, lane: control.lane }),
      {
        signal,
        onProgress: (progress) => control.onProgress(zoomProgress(progress)),
        // Previews are numbered by frames finished, as progress counts them.
        ...(previews && { onFrame: (frame, index) => previews.add(frame, index + 1) }),
      },
    );
    await previews?.settled();
    return await readFile(options.output);
  } finally {
    // The frames stay for a run that continues them; the output is handed on as bytes.
    await (workDir ? rm(options.output, { force: true }) : rm(dir, { recursive: true, force: true }));
  }
}

function zoomProgress(progress: RenderProgress): ZoomJobProgress {
  return {
    phase: progress.phase,
    frame: progress.done,
    frames: progress.total,
    fraction: progress.done / progress.total,
    resumed: progress.resumed,
    ...(progress.etaSeconds !== undefined && { etaSeconds: progress.etaSeconds }),
  };
}
