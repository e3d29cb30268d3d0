/** Median wall time of an async action over `runs` timed runs after `warmups` untimed ones. */
export async function medianMs(action: () => Promise<unknown>, runs: number, warmups: number): Promise<number> {
  for (let i = 0; i < warmups; i++) await action();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await action();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
