#!/usr/bin/env node
// Runs the compiled CLI in dist/: always in an installed package (which ships no src/), and in a
// checkout (built by `npm install` through the prepare script) while it is newer than every source
// file; otherwise the TypeScript sources through tsx, so a checkout being edited never runs stale
// code. Compiled start-up is ~0.3 s faster per process and per worker.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const SOURCES = new URL('src/', root);
const BUILD_STAMP = new URL('dist/.build-stamp', root);

// `deepdream ... --json | head` closes the pipe early: that is not an error. Work in progress
// listens too and stops cleanly (src/apps/cli/interrupt.ts): exiting under it could cut off a
// dream worker mid-run, which aborts the process. With nothing running, exit at once.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  if (process.stdout.listenerCount('error') === 1) process.exit(process.exitCode ?? 0);
});

/** Latest modification time of a directory tree (directories too: a deleted file changes its folder). */
function newestChange(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
    newest = Math.max(newest, entry.isDirectory() ? newestChange(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function compiledIsCurrent() {
  if (!existsSync(SOURCES)) return true;
  let built;
  try {
    built = statSync(BUILD_STAMP).mtimeMs;
  } catch {
    return false;
  }
  return built >= newestChange(SOURCES);
}

let main;
if (compiledIsCurrent()) {
  ({ main } = await import(new URL('dist/apps/deepdream.js', root).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(new URL('apps/deepdream.ts', SOURCES).href));
}
process.exitCode = await main(process.argv);
