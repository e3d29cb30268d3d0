// The form's feedback: the error line, the progress bar with its line, and the busy buttons.
import { $, sentence } from './api.js';

export function showError(message) {
  $('error').textContent = message ? sentence(message) : '';
  $('error').hidden = !message;
}

/** The progress line; `fraction` undefined leaves the bar where it is. */
export function showStatus(text, fraction) {
  $('status').hidden = false;
  if (fraction !== undefined) $('progress').value = fraction;
  $('status-text').textContent = text;
}

export function hideStatus() {
  $('status').hidden = true;
}

export function setBusy(busy) {
  $('dream').disabled = busy;
  $('compare').disabled = busy;
  $('dream').textContent = busy ? 'Dreaming…' : 'Dream';
  $('cancel').hidden = !busy;
}

/** What a dream is doing, in one line. */
export function describe(view) {
  if (view.offline) return 'Lost the studio server: trying again…';
  if (view.status === 'queued') {
    if (view.position === undefined) return 'Waiting in line…';
    return view.position === 1 ? 'Waiting in line: next up…' : `Waiting in line: number ${view.position}…`;
  }
  if (view.status === 'done' && view.kind === 'zoom') {
    return `Done: ${videoLength(view.frames, view.fps)} of video, ${view.frames} frames of ${view.width}×${view.height} pixels.`;
  }
  if (view.status === 'done') return `Done: ${view.width}×${view.height} pixels.`;
  if (view.status === 'failed') return `Failed: ${view.error}`;
  if (view.status === 'cancelled') return 'Cancelled.';
  const p = view.progress;
  if (!p && view.download) {
    const { received, total } = view.download;
    return `Downloading the network (once): ${Math.round((100 * received) / total)}% of ${Math.round(total / 1048576)} MB…`;
  }
  if (!p) return 'Loading the network…';
  if (p.phase === 'encode') return 'Making the video…';
  const percent = Math.round(p.fraction * 100);
  const eta = p.etaSeconds === undefined ? '' : ` · about ${formatSeconds(p.etaSeconds)} left`;
  // `frame` counts the frames finished: the line names the one being dreamed.
  if (p.phase === 'dream') {
    // A zoom stopped by a restart goes on from its last finished frame: say so, as it is not slow.
    const resumed = p.resumed > 0 ? ` · went on after frame ${p.resumed}` : '';
    return `Frame ${Math.min(p.frame + 1, p.frames)} of ${p.frames} · ${percent}%${eta}${resumed}`;
  }
  return `Scale ${p.octave} of ${p.octaves} · step ${p.step} of ${p.steps} · ${percent}%${eta}`;
}

/** A video's length: "4 s", "2.5 s". */
export const videoLength = (frames, fps) => `${Math.round((10 * frames) / fps) / 10} s`;

function formatSeconds(seconds) {
  return seconds < 90 ? `${Math.max(1, Math.round(seconds))} s` : `${Math.round(seconds / 60)} min`;
}
