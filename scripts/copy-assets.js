// After tsc: copies the non-TypeScript files of src/ (catalog, label lists, the studio's web page) into dist/,
// then stamps the build so bin/deepdream.js knows dist/ is at least as new as src/.
import { closeSync, cpSync, openSync, utimesSync } from 'node:fs';

cpSync('src', 'dist', { recursive: true, filter: (path) => !path.endsWith('.ts') });
const stamp = 'dist/.build-stamp';
closeSync(openSync(stamp, 'w'));
const now = new Date();
utimesSync(stamp, now, now);
