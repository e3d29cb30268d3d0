/** How the long-running commands (serve, worker) are stopped: Ctrl+C or SIGTERM, then a clean exit 0. */
export function untilStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
