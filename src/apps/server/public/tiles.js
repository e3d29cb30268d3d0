// A dream as a tile of a grid ("My dreams", "Looks compared"): its dream with the original beside
// it once done (a zoom: its video's first frame, which plays while pointed at), else what it is
// doing; the whole tile is a button that opens it in the viewer.
import { reducedMotion } from './api.js';
import { describe, videoLength } from './status.js';

/** "My dreams" is a snapshot, not followed live: its tiles say what a dream was doing in a word or two. */
const GALLERY_STATES = { queued: 'Waiting in line', running: 'Dreaming…', failed: 'Failed', cancelled: 'Cancelled' };

const dreamUrl = (id, file) => `/api/dreams/${encodeURIComponent(id)}/${file}`;

function image(src, className) {
  return Object.assign(document.createElement('img'), { src, className, alt: '', loading: 'lazy' });
}

/**
 * A zoom's video, showing its photo until `button` is pointed at or focused, when it plays (unless
 * motion is reduced). A video loading its metadata alone shows no frame: the photo stands in.
 */
function video(src, poster, button) {
  const element = Object.assign(document.createElement('video'), {
    src,
    poster,
    className: 'tile-dream',
    muted: true,
    loop: true,
    playsInline: true,
    preload: 'metadata',
  });
  // play() rejects when pause() comes first (the pointer left at once): nothing to report.
  const play = () => {
    if (!reducedMotion()) void element.play().catch(() => {});
  };
  const pause = () => element.pause();
  button.addEventListener('pointerenter', play);
  button.addEventListener('focus', play);
  button.addEventListener('pointerleave', pause);
  button.addEventListener('blur', pause);
  return element;
}

function badge(text) {
  return Object.assign(document.createElement('span'), { className: 'tile-badge', textContent: text });
}

/**
 * `title` names the tile (a photo's name, a look); `open(id)` shows the dream in the viewer;
 * `gallery` adds the original and the date.
 */
export function dreamTile(view, { title, open, gallery = false }) {
  const item = document.createElement('li');
  const button = Object.assign(document.createElement('button'), { type: 'button', className: 'tile' });
  button.addEventListener('click', () => open(view.id));
  button.disabled = !view.id; // a dream the server refused has nothing to open
  item.append(button);
  renderTile(button, view, { title, gallery });
  return item;
}

export function updateTile(item, view, options) {
  renderTile(item.querySelector('button'), view, options);
}

function renderTile(button, view, { title, gallery }) {
  const pictures = document.createElement('span');
  pictures.className = 'tile-pictures';
  if (view.status === 'done' && view.kind === 'zoom') {
    const poster = dreamUrl(view.id, 'original');
    pictures.append(
      video(dreamUrl(view.id, 'result'), poster, button),
      badge(`Zoom · ${videoLength(view.frames, view.fps)}`),
    );
  } else if (view.status === 'done') {
    pictures.append(image(dreamUrl(view.id, 'result'), 'tile-dream'));
    // The original is decoration beside the dream: the tile's name says what it is.
    if (gallery) pictures.append(image(dreamUrl(view.id, 'original'), 'tile-original'));
  } else {
    const state = document.createElement('span');
    state.className = 'tile-state';
    state.textContent = gallery ? GALLERY_STATES[view.status] : describe(view);
    pictures.append(state);
  }
  const name = document.createElement('strong');
  name.textContent = title;
  button.setAttribute('aria-label', `Open ${title}: ${describe(view)}`);
  button.replaceChildren(pictures, name);
  if (gallery && view.createdAt) {
    const when = document.createElement('small');
    when.textContent = new Date(view.createdAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    button.append(when);
  }
}
