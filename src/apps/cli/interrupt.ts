/**
 * Stopping the CLI's work cleanly: Ctrl+C (SIGINT) or SIGTERM aborts the running work with an
 * `Interrupted` error, which the program reports in one line and exits with 128 + the signal's
 * number; a closed stdout (`deepdream ... --json | head`) aborts it quietly. The work stops
 * between two steps, so no file is left half-written and no native thread is cut off mid-run.
 */
import { constants } from 'node:os';

export class Interrupted extends Error {
  constructor(
    message: string,
    /** The process exit code to end with. */
    readonly exitCode: number,
    /** Say nothing: the reader went away (a closed pipe). */
    readonly quiet = false,
  ) {
    super(message);
    this.name = 'Interrupted';
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Until the returned function is called, signals and a closed stdout abort `abort` with an `Interrupted`. */
export function stopOnInterrupt(abort: AbortController, message = 'interrupted'): () => void {
  const onSignal = (signal: (typeof SIGNALS)[number]) =>
    abort.abort(new Interrupted(message, 128 + constants.signals[signal]));
  const onOutputError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') abort.abort(new Interrupted('output closed', 0, true));
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.stdout.on('error', onOutputError);
  return () => {
    for (const signal of SIGNALS) process.off(signal, onSignal);
    process.stdout.off('error', onOutputError);
  };
}

/**
 * Runs `work` and reports its result with the seconds it took; on failure stops the reporter and
 * throws the interruption in place of the error it caused, when there was one.
 */
export async function reportOutcome<R>(
  reporter: { done(result: R, seconds: number): void; stop(): void },
  abort: AbortController,
  work: () => Promise<R>,
): Promise<void> {
  const started = performance.now();
  try {
    reporter.done(await work(), (performance.now() - started) / 1000);
  } catch (err) {
    reporter.stop();
    throw abort.signal.aborted ? abort.signal.reason : err;
  }
}
