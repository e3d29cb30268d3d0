import tseslint from 'typescript-eslint';

/**
 * The layers of src/: core runs in any JavaScript host, node is the Node host, web the browser
 * host, the apps sit on top and share only apps/shared. The TypeScript variant of no-restricted-imports
 * also counts `import type`.
 */
const RESTRICTED_IMPORTS = '@typescript-eslint/no-restricted-imports';

/** The only packages core may import: each must run unchanged in Node and in a browser. */
const CORE_PACKAGES = ['protobufjs'];

const restrict = (...patterns) => ({ [RESTRICTED_IMPORTS]: ['error', { patterns }] });

/** A relative import that climbs into the sibling folder `folder` (e.g. '../../node/models/index.js'). */
const into = (folder) => `^(\\.\\./)+${folder}(/|$)`;

const coreImports = restrict(
  {
    regex: `^(?!\\.{1,2}/|(${CORE_PACKAGES.join('|')})$)`,
    message: `src/core runs in any JavaScript host, so of packages it imports only ${CORE_PACKAGES.join(', ')}: Node built-ins and host packages (onnxruntime-node, sharp, ffmpeg...) belong in src/node.`,
  },
  {
    regex: `${into('(node|web|apps)')}|^(\\.\\./)+index(\\.js)?$`,
    message: 'src/core imports nothing from src/node, src/web, src/apps or the library index: the hosts build on core.',
  },
);

/** The packages the browser host adds to core's. */
const WEB_PACKAGES = [...CORE_PACKAGES, 'onnxruntime-web'];

const webImports = restrict(
  {
    regex: `^(?!\\.{1,2}/|(${WEB_PACKAGES.join('|')})(/|$))`,
    message: `src/web runs in browsers, so of packages it imports only ${WEB_PACKAGES.join(', ')}: Node built-ins and Node packages belong in src/node.`,
  },
  {
    regex: `${into('(node|apps)')}|^(\\.\\./)+index(\\.js)?$`,
    message: 'src/web builds on src/core only: nothing from src/node, src/apps or the library index.',
  },
);

const nodeImports = restrict({
  regex: into('apps'),
  message: 'src/node imports nothing from src/apps: the apps build on the host.',
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'test/fixtures/**', 'bench/peak/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**'],
    rules: {
      ...coreImports,
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression', message: 'src/core imports statically: loading on demand is for hosts.' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'src/core runs in any JavaScript host: take settings as arguments.' },
        { name: 'Buffer', message: 'src/core runs in any JavaScript host: use Uint8Array.' },
      ],
    },
  },
  { files: ['src/node/**'], rules: nodeImports },
  {
    files: ['src/web/**'],
    rules: {
      ...webImports,
      // no-restricted-imports does not see import(): the same limits for loading on demand.
      'no-restricted-syntax': [
        'error',
        {
          selector: `ImportExpression[source.value=/^(?!\\.{1,2}\\/|(${WEB_PACKAGES.join('|')})(\\/|$))/]`,
          message: `src/web loads on demand only its own modules, core and ${WEB_PACKAGES.join(', ')}.`,
        },
        {
          selector: 'ImportExpression[source.value=/^(\\.\\.\\/)+(node|apps)(\\/|$)/]',
          message: 'src/web builds on src/core only, on demand too.',
        },
        {
          selector: "ImportExpression[source.type!='Literal']",
          message: 'src/web imports modules by literal names, so the bundler and the lint can see them.',
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'src/web runs in browsers: there is no process.' },
        { name: 'Buffer', message: 'src/web runs in browsers: use Uint8Array.' },
      ],
    },
  },
  {
    files: ['src/apps/cli/**'],
    rules: restrict({
      regex: into('(apps/)?server'),
      message: 'The CLI imports nothing from the studio server: what both need lives in src/apps/shared.',
    }),
  },
  {
    files: ['src/apps/server/**'],
    rules: restrict({
      regex: into('(apps/)?cli'),
      message: 'The studio server imports nothing from the CLI: what both need lives in src/apps/shared.',
    }),
  },
);
