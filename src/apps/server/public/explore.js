// The "Explore the network" page: a model's layers, a layer's channel thumbnails (asked for while
// they are on screen: the server renders what is asked for last first), the layer strip and the
// explanation of a photo. Thumbnails not rendered yet answer 202 with Retry-After.

const $ = (id) => document.getElementById(id);
const THUMBNAIL_SIZE = 128;
const NEIGHBOURS = 4;

const state = { model: '', layers: [], layer: undefined, view: undefined };

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

async function getJson(url) {
  const response = await fetch(url);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

function showError(error) {
  $('error').textContent = error ? (error.message ?? String(error)) : '';
  $('error').hidden = !error;
}

const thumbnailUrl = (model, layer, channel) =>
  `/api/explore/${encodeURIComponent(model)}/${encodeURIComponent(layer)}/channels/${channel}.png?size=${THUMBNAIL_SIZE}`;

// ---- Thumbnails: an image is asked for while it is on screen, again after each Retry-After.

/** Object URLs of rendered thumbnails, by their API URL. */
const rendered = new Map();
/** Images waiting for their thumbnail, by API URL. */
const waiting = new Map();
const onScreen = new Set();

const observer = new IntersectionObserver((entries) => {
  // The server renders the newest request first: ask for the later ones first, so the first on
  // screen come first.
  for (const entry of [...entries].reverse()) {
    if (entry.isIntersecting) {
      onScreen.add(entry.target);
      requestThumbnail(entry.target);
    } else onScreen.delete(entry.target);
  }
});

/** Shows `img`'s thumbnail (its data-src) once rendered; asks while it is on screen or `always`. */
function watchThumbnail(img, always = false) {
  const known = rendered.get(img.dataset.src);
  if (known) return void (img.src = known);
  if (always) {
    onScreen.add(img);
    requestThumbnail(img);
  } else observer.observe(img);
}

async function requestThumbnail(img) {
  const url = img.dataset.src;
  if (rendered.has(url)) return void (img.src = rendered.get(url));
  const images = waiting.get(url);
  if (images) return void images.add(img);
  waiting.set(url, new Set([img]));
  try {
    for (;;) {
      const response = await fetch(url);
      if (response.status === 200) {
        const src = URL.createObjectURL(await response.blob());
        rendered.set(url, src);
        for (const image of waiting.get(url)) {
          image.src = src;
          image.closest('.cell')?.classList.remove('rendering');
          observer.unobserve(image);
          onScreen.delete(image);
        }
        return;
      }
      // A busy server (429, 503) says when to ask again, as a thumbnail in line does.
      if (![202, 429, 503].includes(response.status)) throw new Error((await response.json()).error);
      if (response.status === 202) {
        const { position } = await response.json();
        for (const image of waiting.get(url)) image.closest('.cell')?.classList.toggle('rendering', position === 0);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') ?? 1)));
      const still = [...waiting.get(url)].filter((image) => onScreen.has(image) && image.isConnected);
      if (still.length === 0) return;
      waiting.set(url, new Set(still));
    }
  } catch (error) {
    showError(error);
  } finally {
    waiting.delete(url);
  }
}

// ---- Models and layers.

async function loadModels() {
  const { models } = await getJson('/api/explore/models');
  $('model').replaceChildren(...models.map((m) => el('option', { value: m.name, textContent: m.name })));
  await loadLayers(models[0]?.name);
}

async function loadLayers(model) {
  if (!model) return;
  $('layers-status').textContent = `Loading ${model}…`;
  const body = await getJson(`/api/explore/${encodeURIComponent(model)}/layers`);
  state.model = model;
  state.layers = body.layers;
  state.layer = undefined;
  observer.disconnect();
  $('grid').replaceChildren();
  $('layer-heading').textContent = '2. Channels';
  $('layer-info').textContent = 'Open a layer to see its channels.';
  $('bands').textContent = `Plain words ${body.bands}. Key layers are in bold.`;
  $('all-layers-text').textContent = `Show all ${body.layers.length} layers (not only the key ones)`;
  $('explain-layer').replaceChildren(
    ...body.layers.map((l) =>
      el('option', { value: l.name, textContent: l.name, selected: l.name === body.defaultLayer }),
    ),
  );
  $('layers-status').textContent = '';
  showLayers();
}

function showLayers() {
  const all = $('all-layers').checked;
  const shown = state.layers.filter((l) => all || l.key);
  $('layers').replaceChildren(
    ...shown.map((l) => {
      const button = el(
        'button',
        { type: 'button', className: l.key ? 'layer key' : 'layer' },
        el('span', { className: 'name', textContent: l.name }),
        el('span', { className: 'shape', textContent: l.shape.join('×') }),
        el('span', { className: `look look-${l.look}`, textContent: l.look }),
      );
      button.setAttribute('aria-pressed', String(state.layer?.name === l.name));
      button.addEventListener('click', () => openLayer(l));
      return el('li', {}, button);
    }),
  );
}

function openLayer(layer) {
  state.layer = layer;
  showLayers();
  $('explain-layer').value = layer.name;
  $('layer-heading').textContent = `2. Channels of ${layer.name}`;
  $('layer-info').textContent =
    `${layer.channels} channels, each a ${layer.shape[1]}×${layer.shape[2]} map at the network's input size: ${layer.look}. ` +
    'Pictures appear as they are made (those on screen first); click one for a large view.';
  observer.disconnect();
  onScreen.clear();
  const cells = Array.from({ length: layer.channels }, (_, channel) => {
    const img = el('img', { alt: `channel ${channel}`, width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE });
    img.dataset.src = thumbnailUrl(state.model, layer.name, channel);
    const button = el(
      'button',
      { type: 'button', className: 'cell', title: `channel ${channel}` },
      img,
      el('span', { textContent: String(channel) }),
    );
    button.addEventListener('click', () => openChannel(channel));
    return button;
  });
  $('grid').replaceChildren(...cells);
  for (const cell of cells) watchThumbnail(cell.querySelector('img'));
  $('grid').scrollTop = 0;
  // On narrow screens the grid is below the layer list: bring it into view.
  if ($('grid').getBoundingClientRect().top > window.innerHeight) $('layer-heading').scrollIntoView();
}

// ---- The large view of a channel.

function openChannel(channel, layer = state.layer) {
  state.view = { layer, channel };
  const image = $('channel-image');
  image.alt = `channel ${channel} of ${layer.name}`;
  image.removeAttribute('src');
  image.dataset.src = thumbnailUrl(state.model, layer.name, channel);
  watchThumbnail(image, true);
  $('channel-title').textContent = `${state.model} · ${layer.name} · channel ${channel}`;
  $('channel-look').textContent = `A ${layer.look} layer: ${layer.shape.join('×')}.`;
  const from = Math.max(0, channel - NEIGHBOURS);
  const to = Math.min(layer.channels - 1, channel + NEIGHBOURS);
  const neighbours = [];
  for (let c = from; c <= to; c++) {
    if (c === channel) continue;
    const img = el('img', { alt: `channel ${c}`, width: 64, height: 64 });
    img.dataset.src = thumbnailUrl(state.model, layer.name, c);
    const button = el('button', { type: 'button', className: 'neighbour', title: `channel ${c}` }, img);
    button.addEventListener('click', () => openChannel(c, layer));
    neighbours.push(button);
    watchThumbnail(img, true);
  }
  $('neighbours').replaceChildren(...neighbours);
  const hash = new URLSearchParams({ model: state.model, layer: layer.name, channel: String(channel) });
  $('dream-link').href = `/#${hash}`;
  if (!$('channel-view').open) $('channel-view').showModal();
}

// ---- The photo: layer strip and explanation.

function photoForm(fields) {
  const file = $('photo').files[0];
  if (!file) throw new Error('Choose a photo first.');
  const form = new FormData();
  form.append('image', file);
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

async function dreamStrip() {
  showError(undefined);
  const button = $('strip-button');
  try {
    const body = photoForm({ model: state.model });
    button.disabled = true;
    $('strip-status').textContent = 'Dreaming…';
    const response = await fetch('/api/explore/strip', { method: 'POST', body });
    if (!response.ok) throw new Error((await response.json()).error);
    const figures = new Map();
    let done = 0;
    for await (const line of jsonLines(response.body)) {
      if (line.error) throw new Error(line.error);
      if (line.layers) {
        $('strip').replaceChildren(
          ...line.layers.map(({ layer, look }) => {
            const img = el('img', { alt: `your photo dreamed at ${layer}`, width: line.width, height: line.height });
            const figure = el(
              'figure',
              { className: 'pending' },
              img,
              el('figcaption', {}, el('strong', { textContent: layer }), ` ${look}`),
            );
            figures.set(layer, figure);
            return figure;
          }),
        );
        continue;
      }
      const figure = figures.get(line.layer);
      figure.querySelector('img').src = line.image;
      figure.classList.remove('pending');
      $('strip-status').textContent = `${++done} of ${figures.size} layers dreamed.`;
    }
  } catch (error) {
    $('strip-status').textContent = '';
    showError(error);
  } finally {
    button.disabled = false;
  }
}

/** The JSON values of a newline-delimited JSON stream, as they arrive. */
async function* jsonLines(stream) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const lines = buffer.split('\n');
    buffer = lines.pop();
    for (const line of lines) if (line.trim()) yield JSON.parse(line);
  }
  if (buffer.trim()) yield JSON.parse(buffer);
}

async function explainPhoto() {
  showError(undefined);
  const button = $('explain-button');
  try {
    const layerName = $('explain-layer').value;
    const body = photoForm({ model: state.model, layer: layerName, top: $('explain-top').value });
    button.disabled = true;
    $('explain-status').textContent = 'Looking at your photo…';
    const response = await fetch('/api/explore/explain', { method: 'POST', body });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error);
    const layer = state.layers.find((l) => l.name === answer.layer);
    $('explain-status').textContent =
      `The ${answer.channels.length} channels of ${answer.layer} (${answer.look}) that respond most, strongest first: ` +
      'where each fires in your photo, and what it responds to most.';
    $('explanation').replaceChildren(
      ...answer.channels.map((c) => {
        const thumbnail = el('img', { alt: `what channel ${c.channel} responds to`, width: 96, height: 96 });
        thumbnail.dataset.src = c.thumbnail;
        watchThumbnail(thumbnail);
        const open = el('button', { type: 'button', className: 'link', textContent: `Channel ${c.channel}` });
        open.addEventListener('click', () => openChannel(c.channel, layer));
        const hash = new URLSearchParams({ model: answer.model, layer: answer.layer, channel: String(c.channel) });
        return el(
          'figure',
          { className: 'explained' },
          el('img', {
            src: c.heatMap,
            alt: `where channel ${c.channel} fires in your photo`,
            width: answer.width,
            height: answer.height,
            className: 'heat',
          }),
          thumbnail,
          el(
            'figcaption',
            {},
            open,
            ` activation ${c.activation.toFixed(2)} · `,
            el('a', { href: `/#${hash}`, textContent: 'Dream this channel' }),
          ),
        );
      }),
    );
  } catch (error) {
    $('explain-status').textContent = '';
    showError(error);
  } finally {
    button.disabled = false;
  }
}

// ---- Wiring.

$('model').addEventListener('change', () => loadLayers($('model').value).catch(showError));
$('all-layers').addEventListener('change', showLayers);
$('close-view').addEventListener('click', () => $('channel-view').close());
// Closed by the button or Escape: its pictures are no longer asked for.
$('channel-view').addEventListener('close', () => {
  for (const img of $('channel-view').querySelectorAll('img')) onScreen.delete(img);
  state.view = undefined;
});
$('channel-view').addEventListener('keydown', (event) => {
  const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
  if (!step || !state.view) return;
  const next = state.view.channel + step;
  if (next >= 0 && next < state.view.layer.channels) openChannel(next, state.view.layer);
});
$('strip-button').addEventListener('click', dreamStrip);
$('explain-button').addEventListener('click', explainPhoto);
loadModels().catch(showError);
