/** `npm run bench`: every benchmark in turn, each printing ratios against a baseline measured in the same run. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const ROOT = new URL('..', import.meta.url).pathname;
const suites = [
  'bench/engine.ts',
  'bench/dream/run.ts',
  'bench/dream/fixed-costs.ts',
  'bench/device.ts',
  'bench/video/run.ts',
  'bench/video/stability.ts',
  'bench/web/run.ts',
  'bench/atlas/run.ts',
  'bench/studio/submit.ts',
  'bench/studio/upload-memory.ts',
].filter((s) => existsSync(ROOT + s));
for (const suite of suites) {
  console.log(`\n=== ${suite}`);
  execFileSync('node', ['--import', 'tsx', suite], { cwd: ROOT, stdio: 'inherit' });
}
