/**
 * The `deepdream` program: the command line, with the web studio for `deepdream serve` and the
 * dream worker for `deepdream worker`. The apps never import each other; this is where they are
 * put together.
 */
import type { StartStudio } from './cli/commands/serve.js';
import { runCli } from './cli/main.js';

/** The studio, dreaming here or, with `redis`, through the workers that take its dreams from Redis. */
const startStudio: StartStudio = async ({ redis, warn, ...settings }) => {
  const { createStudioServer } = await import('./server/index.js');
  if (redis === undefined) return createStudioServer(settings);
  const { redisDreamExecutor } = await import('./shared/distributed/redis-executor.js');
  const remote = await redisDreamExecutor(redis, warn);
  try {
    const app = await createStudioServer({ ...settings, executor: remote.execute });
    return {
      listen: (address) => app.listen(address),
      // The studio cancels its unfinished dreams as it closes; the executor passes that on to Redis.
      close: async () => {
        await app.close();
        await remote.close();
      },
    };
  } catch (err) {
    await remote.close();
    throw err;
  }
};

/** Runs the program; resolves to the process exit code. */
export function main(argv: readonly string[] = process.argv): Promise<number> {
  return runCli(argv, {
    startStudio,
    startWorker: async (settings) => (await import('./worker/index.js')).startDreamWorker(settings),
  });
}
