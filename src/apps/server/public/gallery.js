// "My dreams": the dreams of this browser's owner, newest first, a page at a time.
import { $, api, ApiError } from './api.js';
import { dreamTile } from './tiles.js';

const PAGE = 12;
let openDream;
let oldest; // id of the last dream listed, for "Show older dreams"

export function initGallery(open) {
  openDream = open;
  $('gallery-more').addEventListener('click', () => void loadPage(oldest));
}

/** Lists the newest dreams again; a server without a gallery (404) leaves it hidden. */
export const refreshGallery = () => loadPage(undefined);

async function loadPage(before) {
  let dreams;
  try {
    const query = new URLSearchParams({ limit: String(PAGE), ...(before && { before }) });
    ({ dreams } = await api(`/api/dreams?${query}`));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return;
    $('gallery-empty').textContent = `Could not list your dreams: ${error.message}`;
    $('gallery-empty').hidden = false;
    return;
  }
  $('my-dreams').hidden = false;
  $('nav-my-dreams').hidden = false;
  const tiles = dreams.map((view) => dreamTile(view, { title: view.name, open: openDream, gallery: true }));
  if (before) $('gallery-grid').append(...tiles);
  else $('gallery-grid').replaceChildren(...tiles);
  oldest = dreams.at(-1)?.id ?? oldest;
  $('gallery-more').hidden = dreams.length < PAGE;
  $('gallery-empty').textContent = 'Your dreams appear here, on this browser only, until you delete them.';
  $('gallery-empty').hidden = $('gallery-grid').children.length > 0;
}
