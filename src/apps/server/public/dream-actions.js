// What the owner can do with the dream in the viewer once it has ended: dream it again, zoom into
// it, change its settings, share it by link (copy, stop sharing) and delete it.
import { $, api } from './api.js';
import { zoomOffered } from './form.js';
import { showError } from './status.js';

const BUTTONS = ['download', 'dream-again', 'zoom-from', 'change-settings', 'share', 'delete'];

export function hideDreamActions() {
  for (const id of [...BUTTONS, 'share-box', 'delete-confirm', 'download-hint']) $(id).hidden = true;
  $('share-note').textContent = '';
}

/**
 * The actions a finished dream of the server offers (a failed or cancelled one: only delete). A
 * zoom's video cannot be dreamed again or zoomed into.
 */
export function showDreamActions(view) {
  const done = view.status === 'done';
  const picture = view.kind !== 'zoom';
  for (const id of ['change-settings', 'share']) $(id).hidden = !done;
  $('dream-again').hidden = !done || !picture;
  $('zoom-from').hidden = !done || !picture || !zoomOffered();
  $('delete').hidden = false;
  showShareLink(view.shareUrl);
}

function showShareLink(shareUrl) {
  $('share-box').hidden = !shareUrl;
  $('share').hidden = $('share').hidden || Boolean(shareUrl);
  if (shareUrl) $('share-url').value = new URL(shareUrl, location.origin).href;
}

/** `current()` is the dream in the viewer ({ id, view }); `on.deleted()` runs once it is gone. */
export function initShareActions(current, on) {
  const base = () => `/api/dreams/${encodeURIComponent(current().id)}`;
  const act = async (work) => {
    showError('');
    try {
      await work();
    } catch (err) {
      showError(err.message);
    }
  };
  $('share').addEventListener('click', () =>
    act(async () => {
      const { shareUrl } = await api(`${base()}/share`, { method: 'POST' });
      current().view.shareUrl = shareUrl;
      $('share').hidden = true;
      showShareLink(shareUrl);
      $('share-note').textContent = 'Anyone with the link can now see this dream.';
      $('share-url').select();
    }),
  );
  $('copy-share').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText($('share-url').value);
      $('share-note').textContent = 'Link copied.';
    } catch {
      $('share-url').select();
      $('share-note').textContent = 'Select the link and copy it (Ctrl+C, or ⌘C).';
    }
  });
  $('unshare').addEventListener('click', () =>
    act(async () => {
      await api(`${base()}/share`, { method: 'DELETE' });
      delete current().view.shareUrl;
      showShareLink(undefined);
      $('share').hidden = false;
      $('share').focus();
      $('share-note').textContent = 'Sharing stopped: the link no longer works.';
    }),
  );
  $('delete').addEventListener('click', () => {
    $('delete-confirm').hidden = false;
    $('delete-no').focus();
  });
  $('delete-no').addEventListener('click', () => {
    $('delete-confirm').hidden = true;
    $('delete').focus();
  });
  $('delete-yes').addEventListener('click', () =>
    act(async () => {
      await api(base(), { method: 'DELETE' });
      hideDreamActions();
      on.deleted();
    }),
  );
}
