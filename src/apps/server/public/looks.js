// "Compare looks": one photo dreamed with every look, each in its own tile as it runs and finishes.
import { $, api, settingsFields } from './api.js';
import { follow, isFinished } from './follow.js';
import { dreamTile, updateTile } from './tiles.js';

let stops = [];

/**
 * Submits `photo` once per preset with the form's other `settingsFor(preset)`; `changed()` runs
 * once they are submitted and as each ends.
 */
export async function compareLooks(photo, presets, settingsFor, { open, changed }) {
  for (const stop of stops) stop();
  stops = [];
  $('compare-looks').hidden = false;
  $('compare-grid').replaceChildren();
  for (const preset of presets) {
    const title = preset.name;
    const data = settingsFields(settingsFor(preset.name));
    data.append('image', photo, photo.name);
    let view;
    try {
      view = await api('/api/dreams', { method: 'POST', body: data });
    } catch (error) {
      const failed = { id: '', status: 'failed', error: error.message };
      $('compare-grid').append(dreamTile(failed, { title, open: () => undefined }));
      continue;
    }
    const options = { title, open };
    const tile = dreamTile(view, options);
    $('compare-grid').append(tile);
    stops.push(
      follow(view.id, {
        view: (next) => {
          updateTile(tile, (view = next), options);
          if (isFinished(next)) changed();
        },
        offline: () => updateTile(tile, { ...view, offline: true }, options),
        gone: (message) => updateTile(tile, { ...view, status: 'failed', error: message }, options),
      }),
    );
  }
  changed();
}
