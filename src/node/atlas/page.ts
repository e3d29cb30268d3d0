/**
 * The atlas page (index.html): one self-contained file with the manifest inside, so it opens from
 * the file system with no server (browsers refuse to fetch files next to a file:// page).
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../image/files.js';
import type { AtlasManifest } from './manifest.js';

export const PAGE_FILE = 'index.html';

export async function writePage(folder: string, manifest: AtlasManifest): Promise<void> {
  await writeFileAtomic(join(folder, PAGE_FILE), Buffer.from(atlasPage(manifest)));
}

/** JSON that can sit inside a <script> element: no "</script>" or "<!--" can appear in it. */
const scriptSafeJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

export function atlasPage(manifest: AtlasManifest): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Network atlas</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>Network atlas</h1><p>What each channel of a layer responds to most: an image optimised to excite it.
Click a channel for a large view; arrow keys step to its neighbours.</p><nav id="layers"></nav></header>
<main id="atlas"></main>
<div id="view" hidden><figure><img id="view-image" alt=""><figcaption id="view-caption"></figcaption></figure>
<div id="neighbours"></div><button id="close" type="button" aria-label="close">×</button></div>
<script type="application/json" id="manifest">${scriptSafeJson(manifest)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

const STYLE = `
body { margin: 0; font: 15px/1.4 system-ui, sans-serif; background: #111; color: #ddd; }
header { padding: 1rem 1.5rem 0; }
h1 { margin: 0 0 .25rem; font-size: 1.4rem; }
header p { margin: 0 0 .75rem; color: #999; }
nav a { color: #9cf; margin-right: 1rem; }
section { padding: .5rem 1.5rem 1.5rem; }
h2 { font-size: 1.1rem; margin: .75rem 0; }
h2 small { color: #999; font-weight: normal; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(96px, 1fr)); gap: 4px; }
.grid button { padding: 0; border: 0; background: #222; color: #aaa; cursor: pointer; position: relative; }
.grid img { width: 100%; display: block; aspect-ratio: 1; }
.grid span { position: absolute; left: 2px; bottom: 1px; font-size: 11px; text-shadow: 0 0 3px #000; color: #fff; }
#view { position: fixed; inset: 0; background: rgba(0,0,0,.92); display: flex; flex-direction: column; align-items: center; justify-content: center; }
#view[hidden] { display: none; }
#view figure { margin: 0; text-align: center; }
#view-image { width: min(70vh, 90vw); image-rendering: auto; }
#neighbours { display: flex; gap: 4px; margin-top: .75rem; }
#neighbours img { width: 72px; cursor: pointer; opacity: .8; }
#neighbours img:hover { opacity: 1; }
#close { position: absolute; top: .5rem; right: 1rem; font-size: 2rem; background: none; color: #ddd; border: 0; cursor: pointer; }
`;

/** Builds the grids from the manifest; the large view shows a channel and its neighbours. */
const SCRIPT = `
const manifest = JSON.parse(document.getElementById('manifest').textContent);
const main = document.getElementById('atlas');
const nav = document.getElementById('layers');
const view = document.getElementById('view');
let open = null;
function el(tag, props, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}
function show(entry, index) {
  open = { entry, index };
  const c = entry.channels[index];
  document.getElementById('view-image').src = c.image;
  document.getElementById('view-caption').textContent =
    entry.model + ' / ' + entry.layer + ' / channel ' + c.channel;
  const near = document.getElementById('neighbours');
  near.replaceChildren();
  for (let i = Math.max(0, index - 4); i < Math.min(entry.channels.length, index + 5); i++) {
    if (i === index) continue;
    const img = el('img', { src: entry.channels[i].image, alt: 'channel ' + entry.channels[i].channel, loading: 'lazy' });
    img.onclick = () => show(entry, i);
    near.append(img);
  }
  view.hidden = false;
}
manifest.layers.forEach((entry, n) => {
  const id = 'layer-' + n;
  nav.append(el('a', { href: '#' + id, textContent: entry.model + ' / ' + entry.layer }));
  const grid = el('div', { className: 'grid' });
  entry.channels.forEach((c, index) => {
    const button = el('button', { type: 'button', title: 'channel ' + c.channel },
      el('img', { src: c.image, alt: 'channel ' + c.channel, loading: 'lazy' }),
      el('span', { textContent: String(c.channel) }));
    button.onclick = () => show(entry, index);
    grid.append(button);
  });
  const heading = el('h2', { textContent: entry.model + ' / ' + entry.layer + ' ' },
    el('small', { textContent: entry.shape.join('×') + ', ' + entry.look + ', ' + entry.channels.length + ' channels' }));
  main.append(el('section', { id }, heading, grid));
});
document.getElementById('close').onclick = () => { view.hidden = true; open = null; };
document.addEventListener('keydown', (event) => {
  if (!open) return;
  if (event.key === 'Escape') { view.hidden = true; open = null; }
  const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
  const next = open && open.index + step;
  if (step && next >= 0 && next < open.entry.channels.length) show(open.entry, next);
});
`;
