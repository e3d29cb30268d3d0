// The before/after viewer: the original photo with the dream over it, the dream clipped to the
// right of a divider. A range input over the picture moves the divider, so the comparison works
// by mouse, touch and keyboard (arrow keys) alike, and screen readers announce where it stands.
// A zoom shows its frames alone as they arrive, then plays its video.
import { $, reducedMotion } from './api.js';

const DREAM_ALT = 'Dreamed photo';

export function setSplit(percent) {
  $('slider').value = String(percent);
  $('slider').setAttribute('aria-valuetext', `${100 - percent}% dream`);
  // Setting styles from script is allowed by the page's CSP (style-src 'self'); style attributes are not.
  $('dream-layer').style.clipPath = `inset(0 0 0 ${percent}%)`;
  $('divider').style.left = `${percent}%`;
}

export function initViewer() {
  $('slider').addEventListener('input', () => setSplit(Number($('slider').value)));
  setSplit(50);
}

export function setCaption(text) {
  $('viewer-caption').textContent = text;
}

/** The photo alone: no dream yet. `url` undefined shows `text` instead. */
export function showPhoto(url, text = 'Your photo appears here') {
  showOriginal(url, text);
  hideDream();
}

/** `url` over the original as the finished dream, or as a preview while it runs. */
export function showDream(url, { preview = false } = {}) {
  const hasOriginal = !$('original').hidden;
  $('result').src = url;
  $('result').alt = preview ? 'The dream so far (preview)' : DREAM_ALT;
  $('dream-layer').hidden = false;
  $('viewer').classList.toggle('alone', !hasOriginal);
  for (const id of ['slider', 'divider', 'slider-hint']) $(id).hidden = !hasOriginal;
  $('viewer-placeholder').hidden = true;
}

/**
 * A preview is shown once it has loaded, if `wanted()` still (the dream may have ended meanwhile):
 * a missing one (404) leaves the picture as it is. `alone`: without the original (a zoom's frames
 * are cropped from it: no before/after). Resolves once it is shown, dropped or missing.
 */
export function showPreview(url, { wanted, alone = false }) {
  return new Promise((resolve) => {
    const image = new Image();
    image.onload = () => {
      if (wanted()) {
        if (alone) showOriginal(undefined);
        showDream(url, { preview: true });
      }
      resolve();
    };
    image.onerror = () => resolve();
    image.src = url;
  });
}

/** A finished zoom: its video, alone, looping without sound (it has none). */
export function showVideo(url) {
  showOriginal(undefined);
  hideDream();
  const video = $('video');
  video.autoplay = !reducedMotion();
  video.src = url;
  video.hidden = false;
}

function hideVideo() {
  const video = $('video');
  if (video.hidden) return;
  video.hidden = true;
  video.removeAttribute('src');
  video.load(); // lets go of the file
}

export function hideDream() {
  hideVideo();
  $('dream-layer').hidden = true;
  $('result').removeAttribute('src');
  $('result').alt = DREAM_ALT;
  for (const id of ['slider', 'divider', 'slider-hint']) $(id).hidden = true;
  $('viewer').classList.remove('alone');
}

/** The original under the dream; `url` undefined shows the placeholder `text`. */
export function showOriginal(url, text) {
  const original = $('original');
  if (original.src.startsWith('blob:') && original.src !== url) URL.revokeObjectURL(original.src);
  if (url) original.src = url;
  else original.removeAttribute('src');
  original.hidden = !url;
  $('viewer-placeholder').textContent = text ?? '';
  $('viewer-placeholder').hidden = Boolean(url) || !text;
}

/** The original could not be shown: the dream, if any, stands alone. */
export function dropOriginal(text) {
  showOriginal(undefined, $('dream-layer').hidden ? text : undefined);
  if (!$('dream-layer').hidden) showDream($('result').src, { preview: $('result').alt !== DREAM_ALT });
}

/** On a phone the viewer is below the form: bring it into view unless it already is. */
export function revealViewer() {
  const box = $('viewer').getBoundingClientRect();
  if (box.top >= 0 && box.bottom <= window.innerHeight) return;
  $('results').scrollIntoView({ behavior: reducedMotion() ? 'auto' : 'smooth', block: 'start' });
}
