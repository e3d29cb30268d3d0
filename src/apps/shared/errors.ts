/** Turning any error into the CLI's single line "deepdream: <message>". */
import { OptionError, type OptionNamer } from '../../core/options/checks.js';

export const PROGRAM_NAME = 'deepdream';

/** Set DEEPDREAM_DEBUG=1 to get stack traces. */
const debugEnabled = (): boolean => process.env.DEEPDREAM_DEBUG === '1';

/** A message as one line (the CLI and the studio API both answer in one line). */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}

/** The error's message, with the options it names called what the app calls them (`name`). */
export function errorMessage(err: unknown, name?: OptionNamer): string {
  if (err instanceof OptionError && name) return err.messageFor(name);
  return err instanceof Error ? err.message : String(err);
}

/** The error as one line, without commander's "error: " prefix. */
export function errorLine(err: unknown, name?: OptionNamer): string {
  return `${PROGRAM_NAME}: ${oneLine(errorMessage(err, name).replace(/^error: /, ''))}`;
}

/** What to print on stderr for an error: one line, or the full stack when debugging. */
export function describeError(err: unknown, name?: OptionNamer): string {
  if (!debugEnabled()) return errorLine(err, name);
  const parts = [err instanceof Error ? (err.stack ?? err.message) : String(err)];
  for (let cause = (err as Error)?.cause; cause !== undefined; cause = (cause as Error)?.cause) {
    parts.push(`caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
  }
  return parts.join('\n');
}
