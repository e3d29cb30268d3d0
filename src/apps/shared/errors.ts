/** Turning any error into the CLI's single line "deepdream: <message>". */

export const PROGRAM_NAME = 'deepdream';

/** Set DEEPDREAM_DEBUG=1 to get stack traces. */
const debugEnabled = (): boolean => process.env.DEEPDREAM_DEBUG === '1';

/** A message as one line (the CLI and the studio API both answer in one line). */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}

/** The error as one line, without commander's "error: " prefix. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `${PROGRAM_NAME}: ${oneLine(message.replace(/^error: /, ''))}`;
}

/** What to print on stderr for an error: one line, or the full stack when debugging. */
export function describeError(err: unknown): string {
  if (!debugEnabled()) return errorLine(err);
  const parts = [err instanceof Error ? (err.stack ?? err.message) : String(err)];
  for (let cause = (err as Error)?.cause; cause !== undefined; cause = (cause as Error)?.cause) {
    parts.push(`caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
  }
  return parts.join('\n');
}
