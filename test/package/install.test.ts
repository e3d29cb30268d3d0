/**
 * The package as users install it: `npm pack` of the repository, then
 * `ONNXRUNTIME_NODE_INSTALL=skip npm install <tarball>` in a fresh project, whose `deepdream`
 * command, library and types are then used from that project. Runs offline: the dependencies come
 * from the npm cache that installing this repository filled, which the test reads and never writes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { readImage } from '../../src/node/image/read.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const TSC = join(REPO, 'node_modules/typescript/bin/tsc');

/**
 * The environment of a user's shell: none of the `npm_*` variables that `npm test` passes down
 * (among them the repository's `.npmrc` setting, which would hide whether the install needs the
 * ONNXRUNTIME_NODE_INSTALL variable the README asks for).
 */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  delete env['ONNXRUNTIME_NODE_INSTALL'];
  return { ...env, ...extra };
}

async function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(command, args, { cwd, env, maxBuffer: 64 << 20 });
    return stdout;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stderr ?? String(error)}`);
  }
}

/**
 * Copies the working tree (tracked and untracked files, not the ignored ones) to `dest`, with the
 * repository's node_modules linked in: packing runs the build, which must not rewrite the dist/
 * that other tests are running at the same time.
 */
async function copyWorkingTree(dest: string): Promise<void> {
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], REPO, process.env);
  for (const path of new Set(listed.split('\0'))) {
    if (!path || path === 'node_modules') continue;
    try {
      cpSync(join(REPO, path), join(dest, path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // deleted, not yet committed
    }
  }
  symlinkSync(realpathSync(join(REPO, 'node_modules')), join(dest, 'node_modules'), 'dir');
}

/**
 * A private npm cache in `dest` that holds everything the user's holds: a copy of its index and
 * links to its content. npm appends to the index on every install, even from the cache, and adds
 * every tarball it packs or installs from a file; here that all stays in `dest`.
 */
async function overlayUserCache(dest: string): Promise<void> {
  const user = join((await run('npm', ['config', 'get', 'cache'], REPO, process.env)).trim(), '_cacache');
  cpSync(join(user, 'index-v5'), join(dest, '_cacache/index-v5'), { recursive: true });
  const content = join(user, 'content-v2');
  for (const path of readdirSync(content, { recursive: true, encoding: 'utf8' })) {
    const target = join(content, path);
    if (lstatSync(target).isDirectory()) continue;
    const link = join(dest, '_cacache/content-v2', path);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(target, link);
  }
}

/**
 * A new project whose lockfile pins the package's dependencies to the versions in this
 * repository's lockfile, as a user's project with a lockfile would: npm then needs only their
 * tarballs, which `npm ci` cached, and no registry metadata (it asks for more than `npm ci` caches).
 */
function createProject(dir: string): void {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const root = { name: 'user-project', version: '1.0.0' };
  const packages = Object.fromEntries(Object.entries(lock.packages).filter(([path, entry]) => path && !entry.dev));
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...root, private: true }));
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ ...root, lockfileVersion: 3, requires: true, packages: { '': root, ...packages } }),
  );
}

describe('the npm package, installed as users install it', { timeout: 600_000 }, () => {
  let dir = '';
  let project = '';
  let packed: string[] = [];
  let env: NodeJS.ProcessEnv = {};
  let npmFlags: string[] = [];
  const deepdream = (args: string[]) => run('npx', [...npmFlags, 'deepdream', ...args], project, env);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inceptionism-package-'));
    // Converted models go to a folder of this test, not to the user's cache.
    env = userEnv({ ONNXRUNTIME_NODE_INSTALL: 'skip', INCEPTIONISM_CACHE_DIR: join(dir, 'models') });
    const cache = join(dir, 'npm-cache');
    await overlayUserCache(cache);
    npmFlags = ['--offline', '--no-audit', '--no-fund', `--cache=${cache}`];
    const npm = (args: string[], cwd: string) => run('npm', [...args, ...npmFlags], cwd, env);

    const source = join(dir, 'source');
    await copyWorkingTree(source);
    const [pack] = JSON.parse(await npm(['pack', '--json', `--pack-destination=${dir}`], source)) as [
      { filename: string; files: { path: string }[] },
    ];
    packed = pack.files.map((file) => file.path);

    project = join(dir, 'project');
    createProject(project);
    await npm(['install', join(dir, pack.filename)], project);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('ships the compiled library and command, the studio page, types, licence and examples, and no sources', () => {
    for (const path of [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/deepdream.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/apps/deepdream.js',
      'dist/apps/server/index.d.ts',
      'dist/apps/server/public/index.html',
      'dist/node/models/catalog.json',
      'examples/cat.jpg',
      'examples/ATTRIBUTION.md',
    ]) {
      assert.ok(packed.includes(path), path);
    }
    assert.deepEqual(packed.filter((path) => !/^(dist|bin|examples)\//.test(path)).sort(), [
      'LICENSE',
      'README.md',
      'package.json',
    ]);
    assert.deepEqual(
      packed.filter((path) => path.endsWith('.map') || (path.endsWith('.ts') && !path.endsWith('.d.ts'))),
      [],
    );
  });

  it('answers `deepdream --version`', async () => {
    assert.equal((await deepdream(['--version'])).trim(), VERSION);
  });

  it('dreams a photo with the bundled model, and its library and studio entry read back the dream', async () => {
    const photo = join(project, 'node_modules/inceptionism/examples/cat.jpg');
    await deepdream([photo, '-o', 'dream.png', '--max-size', '96', '--octaves', '1', '--steps', '1']);
    const dreamed = await readImage(join(project, 'dream.png'));
    const expected = await readImage(photo, { maxSize: 96 });
    assert.deepEqual([dreamed.format, dreamed.width, dreamed.height], ['png', expected.width, expected.height]);

    const script = `
      const library = await import('inceptionism');
      const { createStudioServer } = await import('inceptionism/server');
      const recipe = await library.readRecipe('dream.png');
      console.log(JSON.stringify({
        resolved: import.meta.resolve('inceptionism'),
        models: library.listBundledModels().map((model) => model.name),
        createStudioServer: typeof createStudioServer,
        recipe: { program: recipe.program, model: recipe.options.model, steps: recipe.options.steps },
      }));`;
    const seen = JSON.parse(await run(process.execPath, ['--input-type=module', '-e', script], project, env));
    assert.deepEqual(seen, {
      resolved: pathToFileURL(join(realpathSync(project), 'node_modules/inceptionism/dist/index.js')).href,
      models: ['inception_v3', 'mobilenet_v2'],
      createStudioServer: 'function',
      recipe: { program: 'inceptionism', model: 'inception_v3', steps: 1 },
    });
  });

  it('gives TypeScript users the types of both entry points', async () => {
    writeFileSync(
      join(project, 'uses.mts'),
      `import { dream, type DreamOptionsInput } from 'inceptionism';
       import { createStudioServer, type StudioOptions } from 'inceptionism/server';
       const options: DreamOptionsInput = { preset: 'eyes', seed: 7 };
       // @ts-expect-error: steps is a number
       const wrong: DreamOptionsInput = { steps: 'many' };
       const studio: StudioOptions = { concurrency: 1 };
       export const uses = [dream, createStudioServer, options, wrong, studio];`,
    );
    const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--skipLibCheck'];
    await run(process.execPath, [TSC, ...flags, 'uses.mts'], project, env);
  });
});
