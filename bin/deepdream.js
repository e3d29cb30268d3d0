#!/usr/bin/env node
// Runs the TypeScript CLI directly: tsx compiles src/ on the fly (and caches the result).
import { register } from 'tsx/esm/api';

// `deepdream ... --json | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
