// Dreams on this device: with a web build, device.js runs the dream in a worker, so the photo is
// never sent anywhere. The static site (npm run build:web) is the page in device-only mode.
import { $, api } from './api.js';
import { currentKind, form, formSettings, selectedModel, studio } from './form.js';
import { showError } from './status.js';

let device; // the device dreamer, once device.js is loaded

/** Whether the form's dream runs on this device: pictures only (a zoom is made on the server). */
export const onDevice = () =>
  studio.deviceOnly ||
  (currentKind() !== 'zoom' && form.querySelector('input[name=where]:checked')?.value === 'device');

const deviceModule = () => import(new URL(`${studio.settings.device.bundle}device.js`, location.href).href);

/** Device-only mode: the settings the studio's API gives, from site.json; false while the page reloads isolated. */
export async function loadSite() {
  studio.site = await api('site.json');
  studio.settings = studio.site.presets;
  studio.models = studio.site.models;
  const { isolatePage } = await deviceModule();
  return !(await isolatePage('sw.js'));
}

/** Loads device.js and shows which engine the worker runs, once the device is chosen. */
export async function prepareDevice() {
  if (!onDevice()) {
    $('engine').hidden = true;
    return;
  }
  $('engine').hidden = false;
  if (!device) {
    $('engine-text').textContent = 'Engine: starting…';
    const { DeviceDreamer } = await deviceModule();
    device = new DeviceDreamer(new URL(`${studio.settings.device.bundle}worker.js`, location.href).href, {
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

/** Dreams `photo` with the form's settings in the worker; `update` gets views like the server's. Returns its id. */
export function dreamOnDevice(photo, update) {
  const { steps, seed, model, layer, channel, preset } = formSettings();
  const options = {
    steps,
    seed,
    ...(model && { model }),
    ...(layer && { layers: [{ name: layer, weight: 1 }] }),
    ...(channel !== undefined && { channels: [channel] }),
    ...(preset && { preset }),
  };
  const request = {
    photo,
    name: photo.name,
    maxSize: Number($('size').value),
    maxPixels: studio.settings.form.maxPixels,
    options,
  };
  return device.dream(request, update);
}

export const cancelOnDevice = () => device.cancel();
