/** Warnings on stderr ("deepdream: warning: ..."), silent with --quiet or --json. */
import { PROGRAM_NAME } from '../shared/errors.js';

export function warner(flags: { quiet?: boolean; json?: boolean }): (text: string) => void {
  if (flags.quiet || flags.json) return () => undefined;
  return (text) => process.stderr.write(`${PROGRAM_NAME}: warning: ${text}\n`);
}
