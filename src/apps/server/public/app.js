// The dream studio page: fills the form from the API, uploads the photo, follows the dream's
// progress (Server-Sent Events, polling as a fallback) and shows the result. With a web build it
// can also dream on this device (device.js, in a worker): then the photo is never sent anywhere.
// The static site (npm run build:web) is this page in device-only mode, set up from site.json.
const $ = (id) => document.getElementById(id);
const UNREACHABLE = 'Cannot reach the studio server. Is it still running?';
const deviceOnly = document.documentElement.dataset.mode === 'device-only';
const form = $('dream-form');
const SIZES = [
  [256, 'Small (fastest)'],
  [512, 'Medium'],
  [768, 'Large'],
  [1024, 'Extra large (slow)'],
];
const DEFAULT_SIZE = 512;

let settings; // GET /api/presets
let models = [];
let photo; // the File to dream
let tracked; // the dream this page follows: { id, source?: EventSource, timer?, device? }
let site; // device-only mode: site.json
let device; // the device dreamer, once device.js is loaded

function showError(message) {
  // Server messages start in lower case, like the CLI's; on the page they are sentences.
  $('error').textContent = message.charAt(0).toUpperCase() + message.slice(1);
  $('error').hidden = !message;
}

async function api(path, init) {
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new Error(UNREACHABLE);
  }
  const body = response.headers.get('content-type')?.includes('json') ? await response.json() : {};
  if (!response.ok) throw new Error(body.error ?? `The server answered ${response.status}`);
  return body;
}

function option(value, text) {
  const element = document.createElement('option');
  element.value = String(value);
  element.textContent = text;
  return element;
}

function renderLooks() {
  const looks = $('looks');
  looks.replaceChildren(
    ...settings.presets.map((preset) => {
      const label = document.createElement('label');
      label.className = 'look';
      const input = Object.assign(document.createElement('input'), {
        type: 'radio',
        name: 'preset',
        value: preset.name,
        checked: preset.name === settings.defaultPreset,
      });
      const text = document.createElement('span');
      const name = document.createElement('strong');
      name.textContent = preset.name;
      const description = document.createElement('span');
      description.textContent = preset.description;
      text.append(name, description);
      label.append(input, text);
      return label;
    }),
  );
}

function renderSizes() {
  const { max } = settings.form.size;
  const sizes = SIZES.filter(([px]) => px <= max);
  if (!sizes.some(([px]) => px === max)) sizes.push([max, 'Largest']);
  $('size').replaceChildren(...sizes.map(([px, name]) => option(px, `${name} · ${px} px`)));
  $('size').value = String(sizes.some(([px]) => px === DEFAULT_SIZE) ? DEFAULT_SIZE : sizes[0][0]);
}

function renderSteps() {
  const { min, max } = settings.form.steps;
  Object.assign($('steps'), { min, max: Math.min(max, 40), value: settings.form.steps.default });
  updateSteps();
}

function updateSteps() {
  const steps = Number($('steps').value);
  $('steps-value').textContent = `${steps} step${steps === 1 ? '' : 's'} per scale`;
}

const selectedModel = () => models.find((m) => m.name === $('model').value);

async function loadLayers() {
  const model = selectedModel();
  if (!model) return;
  for (const input of form.querySelectorAll('input[name=preset]')) input.disabled = !model.presets;
  $('layer').replaceChildren(option('', 'Loading layers…'));
  $('layer').disabled = true;
  try {
    const { defaultLayer, layers } = deviceOnly
      ? site.layers[model.name]
      : await api(`/api/models/${encodeURIComponent(model.name)}/layers`);
    if ($('model').value !== model.name) return; // another model was picked meanwhile
    const automatic = model.presets ? 'Automatic (set by the look)' : `Automatic (${defaultLayer})`;
    $('layer').replaceChildren(
      option('', automatic),
      ...layers.map((l) => option(l.name, `${l.name} · ${l.channels} channels`)),
    );
    $('layer').disabled = false;
  } catch (err) {
    $('layer').replaceChildren(option('', 'Automatic'));
    showError(`Could not list the layers of ${model.name}: ${err.message}`);
  }
}

function choosePhoto(file) {
  showError('');
  if (!file) return;
  if (!file.type.startsWith('image/')) {
    showError(`${file.name} is not an image. Choose a photo (JPEG, PNG, WebP…).`);
    return;
  }
  if (tooLarge(file)) return;
  photo = file;
  const url = URL.createObjectURL(file);
  for (const img of [$('photo-thumb'), $('original')]) {
    if (img.src) URL.revokeObjectURL(img.src);
    img.src = url;
    img.hidden = false;
  }
  $('original-placeholder').hidden = true;
  $('original-placeholder').textContent = 'Your photo appears here';
  $('drop-text').replaceChildren(
    Object.assign(document.createElement('strong'), { textContent: file.name }),
    Object.assign(document.createElement('small'), { textContent: 'Drop or choose another photo to replace it' }),
  );
}

/** Uploads have a limit; photos dreamed on this device do not. */
function tooLarge(file) {
  if (onDevice() || !settings || file.size <= settings.form.maxUploadBytes) return false;
  const mb = Math.round(settings.form.maxUploadBytes / 1048576);
  showError(`${file.name} is larger than ${mb} MB. Choose a smaller photo or dream it on this device.`);
  return true;
}

/** A photo the browser cannot show (TIFF, say) may still be dreamable: the server decides. */
function noPreview() {
  for (const img of [$('photo-thumb'), $('original')]) img.hidden = true;
  $('original-placeholder').textContent = 'No preview in this browser; the studio may still be able to dream it.';
  $('original-placeholder').hidden = false;
}

function showPlaceholder(text) {
  $('result').hidden = true;
  $('result').removeAttribute('src');
  $('result-placeholder').textContent = text;
  $('result-placeholder').hidden = false;
}

function setBusy(busy) {
  $('dream').disabled = busy;
  $('dream').textContent = busy ? 'Dreaming…' : 'Dream';
  $('cancel').hidden = !busy;
}

function describe(view) {
  if (view.status === 'queued') {
    return view.position === 1 ? 'Waiting in line: next up…' : `Waiting in line: number ${view.position}…`;
  }
  const p = view.progress;
  if (!p && view.download) {
    const { received, total } = view.download;
    return `Downloading the network (once): ${Math.round((100 * received) / total)}% of ${Math.round(total / 1048576)} MB…`;
  }
  if (!p) return 'Loading the network…';
  const percent = Math.round(p.fraction * 100);
  const eta = p.etaSeconds === undefined ? '' : ` · about ${formatSeconds(p.etaSeconds)} left`;
  return `Scale ${p.octave} of ${p.octaves} · step ${p.step} of ${p.steps} · ${percent}%${eta}`;
}

function formatSeconds(seconds) {
  return seconds < 90 ? `${Math.max(1, Math.round(seconds))} s` : `${Math.round(seconds / 60)} min`;
}

function update(view) {
  if (!tracked || view.id !== tracked.id) return;
  $('status').hidden = false;
  $('progress').value = view.progress?.fraction ?? 0;
  $('status-text').textContent = describe(view);
  if (view.status === 'queued' || view.status === 'running') return;
  stopTracking();
  setBusy(false);
  if (view.status === 'done') showResult(view);
  if (view.status === 'failed') {
    $('status').hidden = true;
    showPlaceholder('The dream appears here');
    showError(`The dream failed: ${view.error}`);
  }
  if (view.status === 'cancelled') {
    $('status-text').textContent = 'Cancelled.';
    showPlaceholder('The dream appears here');
  }
}

function showResult(view) {
  const url = view.png ? URL.createObjectURL(view.png) : `/api/dreams/${view.id}/result`;
  if ($('result').src.startsWith('blob:')) URL.revokeObjectURL($('result').src);
  $('progress').value = 1;
  $('status-text').textContent = `Done: ${view.width}×${view.height} pixels.`;
  $('result').src = url;
  $('result').hidden = false;
  $('result-placeholder').hidden = true;
  const download = $('download');
  // From the server, the file name comes from its Content-Disposition (it wins over the download attribute).
  download.href = view.png ? url : `${url}?download`;
  download.download = view.png ? `${photo.name.replace(/\.[^.]*$/, '') || 'photo'}-dream.png` : '';
  download.hidden = false;
  $('download-hint').hidden = Boolean(view.png);
  // On a phone the result is below the form: bring it into view.
  $('result').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
}

function track(id) {
  tracked = { id };
  // The dream's address: a reload, or the studio restarting, finds it again.
  history.replaceState(null, '', `#dream=${id}`);
  if ('EventSource' in window) {
    tracked.source = new EventSource(`/api/dreams/${id}/events`);
    tracked.source.onmessage = (event) => {
      showError('');
      update(JSON.parse(event.data));
    };
    tracked.source.onerror = () => {
      // While the server is away the stream reconnects by itself; once refused, ask every second.
      if (tracked?.source?.readyState === EventSource.CONNECTING) showError(`${UNREACHABLE} Trying again…`);
      if (tracked?.source?.readyState !== EventSource.CLOSED) return;
      if (tracked?.id === id && !tracked.timer) poll(id);
    };
  } else {
    poll(id);
  }
}

function poll(id) {
  tracked.timer = setInterval(async () => {
    try {
      update(await api(`/api/dreams/${id}`));
      showError('');
    } catch (err) {
      // A studio that is restarting comes back with the dream; any other answer is final.
      if (err.message === UNREACHABLE || /shutting down/.test(err.message)) {
        showError(`${UNREACHABLE} Trying again…`);
        return;
      }
      stopTracking();
      setBusy(false);
      showError(err.message);
    }
  }, 1000);
}

/** Follows the dream the address names (#dream=<id>), after a reload. */
async function resumeDream() {
  const id = new URLSearchParams(location.hash.slice(1)).get('dream');
  if (!id) return;
  try {
    const view = await api(`/api/dreams/${id}`);
    if (view.status === 'queued' || view.status === 'running') showStarting('Reconnecting…');
    track(id);
    update(view);
  } catch (err) {
    history.replaceState(null, '', location.pathname);
    showError(err.message);
  }
}

function stopTracking() {
  tracked?.source?.close();
  clearInterval(tracked?.timer);
}

/** The page as a dream begins: busy, progress at zero, no result yet. */
function showStarting(text) {
  setBusy(true);
  $('status').hidden = false;
  $('progress').value = 0;
  $('status-text').textContent = text;
  $('download').hidden = true;
  $('download-hint').hidden = true;
  showPlaceholder('Dreaming…');
}

async function startDream(event) {
  event.preventDefault();
  showError('');
  if (!photo) {
    showError('Choose a photo first: drop it on the page or click the photo box.');
    return;
  }
  if (onDevice()) {
    dreamOnDevice();
    return;
  }
  if (tooLarge(photo)) return;
  const data = new FormData();
  data.append('steps', $('steps').value);
  data.append('size', $('size').value);
  data.append('seed', $('seed').value || '0');
  const model = selectedModel();
  if (model) data.append('model', model.name);
  if ($('layer').value) data.append('layer', $('layer').value);
  const preset = form.querySelector('input[name=preset]:checked');
  if (model?.presets && preset) data.append('preset', preset.value);
  data.append('image', photo, photo.name);

  showStarting('Uploading…');
  try {
    const view = await api('/api/dreams', { method: 'POST', body: data });
    track(view.id);
    update(view);
  } catch (err) {
    setBusy(false);
    $('status').hidden = true;
    showPlaceholder('The dream appears here');
    showError(err.message);
  }
}

async function cancelDream() {
  if (!tracked) return;
  if (tracked.device) {
    device.cancel();
    return;
  }
  try {
    update(await api(`/api/dreams/${tracked.id}`, { method: 'DELETE' }));
  } catch (err) {
    showError(err.message);
  }
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
    choosePhoto(event.dataTransfer?.files[0]);
  });
}

const onDevice = () => deviceOnly || form.querySelector('input[name=where]:checked')?.value === 'device';

/** The dream on this device: the same options as the form sends, the photo handed to the worker. */
function dreamOnDevice() {
  const model = selectedModel();
  const preset = form.querySelector('input[name=preset]:checked');
  const options = {
    steps: Number($('steps').value),
    seed: Number($('seed').value || '0'),
    ...(model && { model: model.name }),
    ...($('layer').value && { layers: [{ name: $('layer').value, weight: 1 }] }),
    ...(model?.presets && preset && { preset: preset.value }),
  };
  showStarting('Starting on this device…');
  const request = {
    photo,
    name: photo.name,
    maxSize: Number($('size').value),
    maxPixels: settings.form.maxPixels,
    options,
  };
  tracked = { device: true };
  tracked.id = device.dream(request, update);
}

/** Loads device.js and shows which engine the worker runs, once the device is chosen. */
async function prepareDevice() {
  if (!onDevice()) {
    $('engine').hidden = true;
    return;
  }
  $('engine').hidden = false;
  if (!device) {
    $('engine-text').textContent = 'Engine: starting…';
    const { DeviceDreamer } = await deviceModule();
    device = new DeviceDreamer(new URL(`${settings.device.bundle}worker.js`, location.href).href, {
      engine(engine) {
        $('engine-text').textContent = `Engine: ${engine.label}.`;
        $('engine-notice').textContent = engine.notices.join(' ');
        $('engine-notice').hidden = engine.notices.length === 0;
      },
      model(event) {
        if (event.error) {
          showError(`Could not load the network ${event.name}: ${event.error}`);
          return;
        }
        const from = event.cached ? "from this browser's cache" : 'downloaded';
        $('model-ready').textContent = `Network ${event.name} ready (${from}, ${(event.ms / 1000).toFixed(1)} s).`;
      },
    });
  }
  const model = selectedModel();
  if (model) {
    $('model-ready').textContent = `Loading the network ${model.name}…`;
    device.prepare(model.name);
  }
}

const deviceModule = () => import(new URL(`${settings.device.bundle}device.js`, location.href).href);

/** Device-only mode: the settings the studio's API gives, from site.json; the page isolated for threads. */
async function loadSite() {
  site = await api('site.json');
  settings = site.presets;
  models = site.models;
  const { isolatePage } = await deviceModule();
  return !(await isolatePage('sw.js'));
}

async function init() {
  $('photo').addEventListener('change', () => choosePhoto($('photo').files[0]));
  $('original').addEventListener('error', noPreview);
  $('steps').addEventListener('input', updateSteps);
  $('model').addEventListener('change', loadLayers);
  $('cancel').addEventListener('click', cancelDream);
  form.addEventListener('submit', startDream);
  listenForDrops();
  try {
    if (deviceOnly) {
      if (!(await loadSite())) return; // reloading under the service worker
    } else {
      [settings, { models }] = await Promise.all([api('/api/presets'), api('/api/models')]);
    }
  } catch (err) {
    showError(`The studio could not start: ${err.message}`);
    return;
  }
  renderLooks();
  renderSizes();
  renderSteps();
  const presetModel = settings.presets[0]?.model;
  $('model').replaceChildren(...models.map((m) => option(m.name, m.name)));
  if (models.some((m) => m.name === presetModel)) $('model').value = presetModel;
  $('where').hidden = deviceOnly || !settings.device;
  $('device-only-note').hidden = !deviceOnly;
  if (deviceOnly) $('formats').textContent = 'JPEG, PNG, WebP, AVIF or GIF'; // browsers decode no TIFF
  for (const input of form.querySelectorAll('input[name=where]')) input.addEventListener('change', prepareDevice);
  $('model').addEventListener('change', prepareDevice);
  await loadLayers();
  await prepareDevice();
  if (!deviceOnly) await resumeDream();
}

void init();
