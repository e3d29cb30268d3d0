// The dream studio page: the form (form.js) posts a photo, the page follows the dream (follow.js)
// and shows it over the original (viewer.js), with previews while it runs; an endless zoom shows
// its frames as they arrive, then plays its video. Each dream has its URL
// (#dream=<id>), so a reload or a restarted server finds it again; "My dreams" (gallery.js) lists
// the owner's dreams, "Compare looks" (looks.js) dreams one photo with every look, and /s/<token>
// shows a shared dream read-only. With a web build it can dream on this device (device-dream.js).
import { $, api, ApiError, sentence, settingsFields } from './api.js';
import { cancelOnDevice, dreamOnDevice, loadSite, onDevice, prepareDevice } from './device-dream.js';
import { follow, isFinished } from './follow.js';
import {
  applySettings,
  choosePhoto,
  currentKind,
  currentPhoto,
  form,
  formSettings,
  loadLayers,
  noPreview,
  renderForm,
  studio,
  tooLarge,
  updateSteps,
  zoomSettings,
} from './form.js';
import { initGallery, refreshGallery } from './gallery.js';
import { compareLooks } from './looks.js';
import { initShareActions, hideDreamActions, showDreamActions } from './dream-actions.js';
import { describe, hideStatus, setBusy, showError, showStatus, videoLength } from './status.js';
import {
  dropOriginal,
  hideDream,
  initViewer,
  revealViewer,
  setCaption,
  showDream,
  showOriginal,
  showPhoto,
  showPreview,
  showVideo,
} from './viewer.js';

const dreamUrl = (id, file = '') => `/api/dreams/${encodeURIComponent(id)}${file && `/${file}`}`;

/** The dream in the viewer: { id, view?, stop?, device?, previewOctave?, previewFrame?, loadingFrame? }. */
let shown;

function update(view) {
  if (!shown || view.id !== shown.id) return;
  const ended = shown.view && !isFinished(shown.view) && isFinished(view);
  shown.view = view;
  const running = view.status === 'queued' || view.status === 'running';
  showStatus(describe(view), view.status === 'done' ? 1 : (view.progress?.fraction ?? 0));
  setBusy(running);
  if (running) {
    if (view.kind === 'zoom') showZoomFrame(view);
    else showProgressPicture(view);
    return;
  }
  shown.stop?.();
  if (view.status === 'done') showResult(view);
  if (view.status === 'failed') {
    hideStatus();
    hideDream();
    setCaption('Your photo and its dream');
    showError(`The dream failed: ${view.error}`);
  }
  if (view.status === 'cancelled') {
    hideDream();
    setCaption('Your photo and its dream');
  }
  if (!shown.device) {
    showDreamActions(view);
    if (ended) void refreshGallery();
  }
}

/** While a dream runs: its photo, then the dream after each finished scale (octave). */
function showProgressPicture(view) {
  const octave = view.progress?.octave ?? 1;
  if (shown.device || octave - 1 <= (shown.previewOctave ?? 0)) {
    if (!shown.previewOctave) {
      const more = (view.progress?.octaves ?? 1) > 1;
      setCaption(more ? 'Dreaming… a preview comes after each scale' : 'Dreaming…');
    }
    return;
  }
  shown.previewOctave = octave - 1;
  setCaption(`Dreaming… the dream after scale ${octave - 1} of ${view.progress.octaves}`);
  showPreview(`${dreamUrl(view.id, 'preview')}?octave=${octave - 1}`, { wanted: stillRunning(view.id) });
}

/** Whether dream `id` is still the one in the viewer, and still running. */
const stillRunning = (id) => () => shown?.id === id && !isFinished(shown.view);

/** While a zoom runs: its photo, then each frame as it is finished (the newest, one load at a time). */
function showZoomFrame(view) {
  const frame = view.progress?.frame ?? 0;
  if (!shown.previewFrame) {
    setCaption(view.status === 'queued' ? 'An endless zoom: waiting to start' : 'Dreaming the first frame…');
  }
  if (frame <= (shown.previewFrame ?? 0) || shown.loadingFrame) return;
  shown.loadingFrame = true;
  const wanted = stillRunning(view.id);
  void showPreview(`${dreamUrl(view.id, 'preview')}?frame=${frame}`, { wanted, alone: true }).then(() => {
    if (!wanted()) return;
    shown.loadingFrame = false;
    shown.previewFrame = frame;
    setCaption(`The zoom so far: frame ${frame} of ${view.progress.frames}`);
    if ((shown.view.progress?.frame ?? 0) > frame) showZoomFrame(shown.view);
  });
}

function showResult(view) {
  if (view.kind === 'zoom') {
    showZoom(view);
    return;
  }
  if ($('result').src.startsWith('blob:')) URL.revokeObjectURL($('result').src);
  const url = view.png ? URL.createObjectURL(view.png) : dreamUrl(view.id, 'result');
  $('result').addEventListener('load', revealViewer, { once: true });
  showDream(url);
  setCaption(`${view.name}: the original and its dream`);
  const download = $('download');
  // From the server, the file name comes from its Content-Disposition (it wins over the download attribute).
  download.href = view.png ? url : `${url}?download`;
  download.download = view.png ? `${view.name.replace(/\.[^.]*$/, '') || 'photo'}-dream.png` : '';
  download.textContent = 'Download the dream (PNG)';
  download.hidden = false;
  $('download-hint').hidden = Boolean(view.png);
}

/** A finished zoom: its video plays in the viewer; Download gives the MP4 (named by the server). */
function showZoom(view) {
  const url = dreamUrl(view.id, 'result');
  showVideo(url);
  $('video').addEventListener('loadedmetadata', revealViewer, { once: true });
  setCaption(`${view.name}: an endless zoom, ${videoLength(view.frames, view.fps)}`);
  const download = $('download');
  download.href = `${url}?download`;
  download.download = '';
  download.textContent = 'Download the video (MP4)';
  download.hidden = false;
}

/**
 * Shows dream `id` of the server and follows it until it ends. `original` defaults to the server's
 * copy; `photo`, the File it was dreamed from when this page uploaded it.
 */
function openDream(id, original = dreamUrl(id, 'original'), photo = undefined) {
  shown?.stop?.();
  showError('');
  hideDreamActions();
  hideDream();
  showOriginal(original);
  shown = { id, photo };
  shown.stop = follow(id, {
    view: update,
    offline: () => shown?.id === id && showStatus('Lost the connection to the studio server: trying again…'),
    gone: (message) => {
      if (shown?.id !== id) return;
      setBusy(false);
      hideStatus();
      showOriginal(undefined, 'This dream is not on the studio server any more.');
      showError(message);
    },
  });
}

/** Opens dream `id` and gives it its own address (#dream=<id>), which survives a reload. */
function navigate(id, original, photo) {
  history.pushState(null, '', `#dream=${encodeURIComponent(id)}`);
  openDream(id, original, photo);
}

/** A tile's dream, opened: the viewer comes into view and takes the focus (on a phone it is far above). */
function openTile(id, original, photo) {
  navigate(id, original, photo);
  $('results').focus({ preventScroll: true });
  $('results').scrollIntoView({ block: 'start' });
}

const hashDream = () => new URLSearchParams(location.hash.slice(1)).get('dream');

/** The address names a dream to show, or settings to fill the form with (the explore page's links). */
function openFromHash() {
  const id = hashDream();
  if (id && id !== shown?.id) openDream(id);
  if (id) return;
  const given = Object.fromEntries(new URLSearchParams(location.hash.slice(1)));
  if (given.model || given.layer || given.channel) void applySettings(given);
}

/** The page as a dream begins: busy, progress at zero, the photo without a dream. */
function showStarting(text) {
  setBusy(true);
  showStatus(text, 0);
  hideDreamActions();
  hideDream();
  setCaption('Your photo and its dream');
}

/** Posts a dream (the photo, or `from` a finished dream) and follows it under its own address. */
async function submit(data, original, photo) {
  showStarting('Uploading…');
  try {
    const view = await api('/api/dreams', { method: 'POST', body: data });
    navigate(view.id, original, photo);
    update(view);
    void refreshGallery();
  } catch (err) {
    setBusy(false);
    hideStatus();
    showError(err.message);
  }
}

function startDream(event) {
  event.preventDefault();
  showError('');
  const photo = currentPhoto();
  if (!photo) {
    showError('Choose a photo first: drop it on the page or click the photo box.');
    return;
  }
  if (onDevice()) {
    showStarting('Starting on this device…');
    shown?.stop?.();
    shown = { device: true, photo };
    shown.id = dreamOnDevice(photo, (view) => update({ name: photo.name, ...view }));
    return;
  }
  if (tooLarge(photo, false)) return;
  const data = settingsFields(formSettings());
  data.append('image', photo, photo.name);
  void submit(data, $('original').hidden ? undefined : $('original').src, photo);
}

async function cancelDream() {
  if (!shown) return;
  if (shown.device) {
    cancelOnDevice();
    return;
  }
  try {
    update(await api(dreamUrl(shown.id), { method: 'DELETE' }));
  } catch (err) {
    showError(err.message);
  }
}

/** "Dream again": the finished dream dreamed once more with its own settings (go deeper). */
function dreamAgain() {
  const { view } = shown;
  const data = settingsFields(view.settings);
  data.append('from', view.id);
  void submit(data, $('result').src);
}

/** "Zoom into this dream": an endless zoom from the finished picture, with the zoom's knobs as the form has them. */
function zoomFromDream() {
  const { view } = shown;
  const data = settingsFields({ ...view.settings, ...zoomSettings() });
  data.append('from', view.id);
  void submit(data, $('result').src);
}

/** "Change settings": the form set to the dream's settings and photo, ready to dream again. */
async function changeSettings() {
  const { view } = shown;
  await applySettings({ ...view.settings, kind: view.kind ?? 'picture' });
  let photo = shown.photo;
  if (!photo) {
    try {
      const response = await fetch(dreamUrl(view.id, 'original'));
      if (!response.ok) throw new ApiError(response.status, 'gone');
      const blob = await response.blob();
      photo = new File([blob], view.name, { type: blob.type });
    } catch {
      showError('The photo of this dream is not on the server any more: choose it again.');
    }
  }
  if (photo) choosePhoto(photo, { onDevice: false });
  showStatus('Same photo and settings: change what you like, then press Dream.', 0);
  form.scrollIntoView({ behavior: 'smooth', block: 'start' });
  form.querySelector('input[name=preset]:checked:not(:disabled)')?.focus({ preventScroll: true });
}

function listenForDrops() {
  const zone = $('drop-zone');
  // Dropping anywhere on the page counts; the photo box lights up while a file is dragged.
  window.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  window.addEventListener('dragleave', (event) => {
    if (!event.relatedTarget) zone.classList.remove('dragging');
  });
  window.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    pickPhoto(event.dataTransfer?.files[0]);
  });
}

function pickPhoto(file) {
  if (!choosePhoto(file, { onDevice: onDevice() })) return;
  // A new photo starts a new dream: the one in the viewer stays in "My dreams".
  shown?.stop?.();
  shown = undefined;
  hideDreamActions();
  setCaption('Your photo and its dream');
}

function compare() {
  showError('');
  const photo = currentPhoto();
  if (!photo) {
    showError('Choose a photo first: drop it on the page or click the photo box.');
    return;
  }
  if (tooLarge(photo, false)) return;
  const open = (id) => openTile(id, URL.createObjectURL(photo), photo);
  const changed = () => void refreshGallery();
  void compareLooks(photo, studio.settings.presets, formSettings, { open, changed }).then(() =>
    $('compare-looks').scrollIntoView({ behavior: 'smooth', block: 'nearest' }),
  );
}

/** /s/<token>: a dream someone shared, read-only. */
async function showShared(token) {
  document.body.classList.add('shared-view');
  for (const id of ['dream-form', 'my-dreams']) $(id).hidden = true;
  $('tagline').textContent = 'A DeepDream shared from the studio: a neural network painted what it sees into a photo.';
  $('shared-home').hidden = false;
  const base = `/api/shared/${encodeURIComponent(token)}`;
  try {
    const view = await api(base);
    const zoom = view.kind === 'zoom';
    showOriginal(undefined);
    if (zoom) showVideo(`${base}/result`);
    else showDream(`${base}/result`);
    setCaption(zoom ? `A shared endless zoom: ${view.name}` : `A shared dream: ${view.name}`);
    const download = $('download');
    download.href = `${base}/result`;
    const stem = view.name.replace(/\.[^.]*$/, '') || 'photo';
    download.download = zoom ? `${stem}-zoom.mp4` : `${stem}-dream.png`;
    download.textContent = zoom ? 'Download the video (MP4)' : 'Download the dream (PNG)';
    download.hidden = false;
  } catch (err) {
    setCaption('A shared dream');
    const gone = err instanceof ApiError && err.status === 404;
    showPhoto(
      undefined,
      gone
        ? 'This link does not show a dream: it was mistyped, or its owner stopped sharing it.'
        : sentence(err.message),
    );
  }
}

async function init() {
  initViewer();
  const sharedToken = /^\/s\/([^/]+)$/.exec(location.pathname)?.[1];
  if (sharedToken) {
    await showShared(sharedToken);
    return;
  }
  $('photo').addEventListener('change', () => pickPhoto($('photo').files[0]));
  $('original').addEventListener('error', () => ($('original').src.startsWith('blob:') ? noPreview() : dropOriginal()));
  $('steps').addEventListener('input', updateSteps);
  $('model').addEventListener('change', loadLayers);
  $('cancel').addEventListener('click', cancelDream);
  $('dream-again').addEventListener('click', dreamAgain);
  $('zoom-from').addEventListener('click', zoomFromDream);
  $('change-settings').addEventListener('click', () => void changeSettings());
  $('compare').addEventListener('click', compare);
  initShareActions(() => shown, {
    deleted() {
      shown = undefined;
      history.pushState(null, '', location.pathname);
      hideStatus();
      hideDream();
      showOriginal(undefined, 'The dream was deleted.');
      void refreshGallery();
    },
  });
  form.addEventListener('submit', startDream);
  listenForDrops();
  studio.deviceOnly = document.documentElement.dataset.mode === 'device-only';
  try {
    if (studio.deviceOnly) {
      if (!(await loadSite())) return; // reloading under the service worker
    } else {
      [studio.settings, { models: studio.models }] = await Promise.all([api('/api/presets'), api('/api/models')]);
    }
  } catch (err) {
    showError(`The studio could not start: ${err.message}`);
    return;
  }
  renderForm();
  $('device-only-note').hidden = !studio.deviceOnly;
  if (studio.deviceOnly) {
    $('formats').textContent = 'JPEG, PNG, WebP, AVIF or GIF'; // browsers decode no TIFF
    $('site-nav').hidden = true;
  }
  // Compare looks dreams pictures on the server; a zoom is made on the server alone.
  const showChoices = () => {
    const zoom = currentKind() === 'zoom';
    for (const id of ['compare', 'compare-hint']) $(id).hidden = onDevice() || zoom;
    $('where').hidden = studio.deviceOnly || !studio.settings.device || zoom;
    $('zoom-server-note').hidden = !studio.settings.device;
  };
  showChoices();
  const choiceChanged = () => {
    showChoices();
    void prepareDevice();
  };
  for (const input of form.querySelectorAll('input[name=where]')) input.addEventListener('change', choiceChanged);
  form.addEventListener('kindchange', choiceChanged);
  $('model').addEventListener('change', prepareDevice);
  await loadLayers();
  await prepareDevice();
  if (studio.deviceOnly) return;
  initGallery((id) => openTile(id));
  window.addEventListener('hashchange', openFromHash);
  openFromHash();
  await refreshGallery();
}

void init();
