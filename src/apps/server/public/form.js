// The dream form: what to make (a picture or an endless zoom), looks, strength, size, the zoom's
// length, speed and turn, network and layer, and the photo; read as the fields a dream is posted
// with, or filled from a dream's settings ("Change settings").
import { $, api } from './api.js';
import { showError, videoLength } from './status.js';
import { showPhoto, dropOriginal } from './viewer.js';

export const form = $('dream-form');
const SIZES = [
  [256, 'Small (fastest)'],
  [512, 'Medium'],
  [768, 'Large'],
  [1024, 'Extra large (slow)'],
];
const DEFAULT_SIZE = 512;

/** What the form offers: GET /api/presets and /api/models, or site.json on the static site. */
export const studio = { settings: undefined, models: [], site: undefined, deviceOnly: false };
let photo; // the File to dream

export const currentPhoto = () => photo;

/** A server that makes zooms says how in form.zoom; the static site and older servers make pictures only. */
export const zoomOffered = () => Boolean(studio.settings?.form.zoom);
export const currentKind = () => form.querySelector('input[name=kind]:checked')?.value ?? 'picture';

/** Strength and size as last set for each kind: a zoom has its own defaults and a smaller largest size. */
const kindValues = { picture: undefined, zoom: undefined };
let shownKind = 'picture';

function option(value, text) {
  const element = document.createElement('option');
  element.value = String(value);
  element.textContent = text;
  return element;
}

export function renderForm() {
  renderLooks();
  renderSizes(studio.settings.form.size.max);
  renderSteps(studio.settings.form.steps.default);
  if (zoomOffered()) renderZoom();
  const { settings, models } = studio;
  const presetModel = settings.presets[0]?.model;
  $('model').replaceChildren(...models.map((m) => option(m.name, m.name)));
  if (models.some((m) => m.name === presetModel)) $('model').value = presetModel;
}

function renderLooks() {
  const { settings } = studio;
  $('looks').replaceChildren(
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

/** The sizes up to `max`, `preferred` chosen when it is one of them. */
function renderSizes(max, preferred = DEFAULT_SIZE) {
  const sizes = SIZES.filter(([px]) => px <= max);
  if (!sizes.some(([px]) => px === max)) sizes.push([max, 'Largest']);
  $('size').replaceChildren(...sizes.map(([px, name]) => option(px, `${name} · ${px} px`)));
  $('size').value = String(sizes.some(([px]) => px === preferred) ? preferred : sizes[0][0]);
}

function renderSteps(value) {
  const { min, max } = studio.settings.form.steps;
  Object.assign($('steps'), { min, max: Math.min(max, 40), value });
  updateSteps();
}

/** The zoom's knobs, set to the server's ranges and defaults. */
function renderZoom() {
  const { zoom } = studio.settings.form;
  for (const name of ['frames', 'zoom', 'rotate']) {
    const { min, max } = zoom[name];
    Object.assign($(name), { min, max, value: zoom[name].default });
  }
  $('kind-field').hidden = false;
  for (const input of form.querySelectorAll('input[name=kind]')) input.addEventListener('change', showKind);
  for (const name of ['frames', 'zoom', 'rotate']) $(name).addEventListener('input', updateZoom);
  updateZoom();
  showKind(); // the browser may have restored the choice of a page left for another
}

/** Shows the fields of the chosen kind, each kind with its own strength and size. */
function showKind() {
  const kind = currentKind();
  if (kind === shownKind) return;
  kindValues[shownKind] = { steps: $('steps').value, size: $('size').value };
  shownKind = kind;
  const limits = kind === 'zoom' ? studio.settings.form.zoom : studio.settings.form;
  const remembered = kindValues[kind];
  renderSizes(limits.size.max, Number(remembered?.size ?? (kind === 'zoom' ? limits.size.default : DEFAULT_SIZE)));
  renderSteps(remembered?.steps ?? limits.steps.default);
  $('zoom-field').hidden = kind !== 'zoom';
  form.dispatchEvent(new Event('kindchange'));
}

function updateZoom() {
  const frames = Number($('frames').value);
  $('frames-value').textContent = `${frames} frames · ${videoLength(frames, studio.settings.form.zoom.fps)}`;
  const zoom = Number($('zoom').value);
  const percent = Math.round(Math.abs(zoom - 1) * 1000) / 10;
  $('zoom-value').textContent = percent === 0 ? 'still' : `${zoom > 1 ? 'in' : 'out'} ${percent}% a frame`;
  const rotate = Number($('rotate').value);
  $('rotate-value').textContent = rotate === 0 ? 'no turn' : `${Math.abs(rotate)}° a frame`;
}

export function updateSteps() {
  const steps = Number($('steps').value);
  $('steps-value').textContent = `${steps} step${steps === 1 ? '' : 's'} per scale`;
}

export const selectedModel = () => studio.models.find((m) => m.name === $('model').value);
const checkedPreset = () => form.querySelector('input[name=preset]:checked')?.value;

export async function loadLayers() {
  const model = selectedModel();
  if (!model) return;
  for (const input of form.querySelectorAll('input[name=preset]')) input.disabled = !model.presets;
  $('layer').replaceChildren(option('', 'Loading layers…'));
  $('layer').disabled = true;
  try {
    const { defaultLayer, layers } = studio.deviceOnly
      ? studio.site.layers[model.name]
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

/** The zoom's fields as the form has them (with the zoom's own strength and size when a picture is shown). */
export function zoomSettings() {
  const { zoom } = studio.settings.form;
  const values = shownKind === 'zoom' ? { steps: $('steps').value, size: $('size').value } : kindValues.zoom;
  return {
    kind: 'zoom',
    frames: Number($('frames').value),
    zoom: Number($('zoom').value),
    rotate: Number($('rotate').value),
    steps: Number(values?.steps ?? zoom.steps.default),
    size: Number(values?.size ?? zoom.size.default),
  };
}

/** The form's settings, as a dream's `settings` holds them; `preset` overrides the chosen look. */
export function formSettings(preset = checkedPreset()) {
  const model = selectedModel();
  return {
    ...(currentKind() === 'zoom' && zoomSettings()),
    steps: Number($('steps').value),
    size: Number($('size').value),
    seed: Number($('seed').value || '0'),
    ...(model && { model: model.name }),
    ...($('layer').value && { layer: $('layer').value }),
    ...($('channel').value !== '' && { channel: Number($('channel').value) }),
    ...(model?.presets && preset && { preset }),
  };
}

/** Sets the form to a dream's settings (those it lacks keep their value). */
export async function applySettings(settings) {
  const kind = form.querySelector(`input[name=kind][value="${CSS.escape(settings.kind ?? '')}"]`);
  if (kind && zoomOffered()) {
    kind.checked = true;
    showKind();
  }
  for (const name of ['frames', 'zoom', 'rotate']) {
    if (settings[name] !== undefined) $(name).value = String(settings[name]);
  }
  if (zoomOffered()) updateZoom();
  if (settings.model && studio.models.some((m) => m.name === settings.model)) {
    $('model').value = settings.model;
    await loadLayers();
  }
  if (settings.layer) $('layer').value = settings.layer;
  if (settings.channel !== undefined) $('channel').value = String(settings.channel);
  if (settings.layer || settings.seed || settings.channel !== undefined) $('advanced').open = true;
  const preset = form.querySelector(`input[name=preset][value="${CSS.escape(settings.preset ?? '')}"]`);
  if (preset) preset.checked = true;
  if (settings.steps) $('steps').value = String(settings.steps);
  updateSteps();
  if (settings.size && [...$('size').options].some((o) => o.value === String(settings.size))) {
    $('size').value = String(settings.size);
  }
  if (settings.seed !== undefined) $('seed').value = String(settings.seed);
}

/** Takes `file` as the photo to dream, unless it is no image or too large to upload. */
export function choosePhoto(file, { onDevice }) {
  showError('');
  if (!file) return false;
  if (!file.type.startsWith('image/')) {
    showError(`${file.name} is not an image. Choose a photo (JPEG, PNG, WebP…).`);
    return false;
  }
  if (tooLarge(file, onDevice)) return false;
  photo = file;
  const url = URL.createObjectURL(file);
  const thumb = $('photo-thumb');
  if (thumb.src) URL.revokeObjectURL(thumb.src);
  thumb.src = url;
  thumb.hidden = false;
  showPhoto(URL.createObjectURL(file));
  $('drop-text').replaceChildren(
    Object.assign(document.createElement('strong'), { textContent: file.name }),
    Object.assign(document.createElement('small'), { textContent: 'Drop or choose another photo to replace it' }),
  );
  return true;
}

/** Uploads have a limit; photos dreamed on this device do not. */
export function tooLarge(file, onDevice) {
  const { settings } = studio;
  if (onDevice || !settings || file.size <= settings.form.maxUploadBytes) return false;
  const mb = Math.round(settings.form.maxUploadBytes / 1048576);
  showError(`${file.name} is larger than ${mb} MB. Choose a smaller photo or dream it on this device.`);
  return true;
}

/** A photo the browser cannot show (TIFF, say) may still be dreamable: the server decides. */
export function noPreview() {
  $('photo-thumb').hidden = true;
  dropOriginal('No preview in this browser; the studio may still be able to dream it.');
}
