// Bundles the CLI into distribution/ (type checking is tsc's: npm run build runs it first;
// tsconfig.json emits nothing). What a one-shot command pays before it does anything is the
// point of this layout:
// - cli.js, every command-NAME.js and hash-worker.js are CommonJS (distribution/package.json
//   says so): starting Node's ES module loader costs about 4 ms, and each bundle is one file
//   (importing the download command took 37 ms as ~70 modules, 17 ms as one ES bundle).
// - Each command is its own bundle, loaded only when it runs, with a V8 code cache written here
//   by running the offline commands once (source/bundle-loader.ts).
// - The TUI is a CommonJS bundle too (tui.js; Ink's two top-level awaits are taken out by plugins),
//   whose code cache its first run writes. The daemon stays an ES module (daemon.mjs and chunks).
//   Its packages (Ink, React, conf) are bundled into it: as ~150 ES modules from node_modules,
//   resolving, reading and linking them was most of the TUI's start-up (about 1.2 s of CPU
//   under load against 0.3 s as one bundle). bittorrent-dht stays outside: it is loaded
//   after the first frame, when the DHT starts.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMMAND_NAMES } from '../source/commands/names.ts';
import { fastAnsiTokenizePlugin } from './build/fast-ansi-tokenize-plugin.mjs';
import { inkNoTopLevelAwaitPlugin } from './build/ink-no-top-level-await-plugin.mjs';
import { narrowWidthPlugin } from './build/narrow-width-plugin.mjs';
import { yogaBinaryPlugin } from './build/yoga-binary-plugin.mjs';
import { writeCodeCaches } from './build/code-caches.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = process.env.BTUI_BUILD_OUTDIR ?? `${root}distribution`;

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
// CommonJS for every .js here; name and version for meow's --version (it reads the nearest package.json).
const { name, version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
writeFileSync(`${outdir}/package.json`, `${JSON.stringify({ name, version, private: true, type: 'commonjs' }, null, 2)}\n`);

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
};

// The bundles reach ES modules through esm-import.js, a module of its own (see source/esm-import.ts).
const esmImportOnItsOwn = {
  name: 'esm-import-on-its-own',
  setup(build) {
    build.onResolve({ filter: /\/esm-import\.js$/ }, (args) =>
      args.kind === 'entry-point' ? undefined : { path: './esm-import.js', external: true },
    );
  },
};
// import.meta in CommonJS: the bundle's own file URL (the hasher finds ./hash-worker.js by it,
// meow finds package.json by it).
const commonjs = {
  ...common,
  format: 'cjs',
  plugins: [esmImportOnItsOwn],
  define: { 'import.meta': '__btuiImportMeta', BTUI_BUNDLE: 'true' },
  banner: { js: 'var __btuiImportMeta = { url: require("node:url").pathToFileURL(__filename).href };' },
};

await Promise.all([
  build({
    ...commonjs,
    entryPoints: {
      cli: 'source/cli.tsx',
      'hash-worker': 'source/engine/hashing/hash-worker.ts',
      'esm-import': 'source/esm-import.ts',
      ...Object.fromEntries(COMMAND_NAMES.map((name) => [`command-${name}`, `source/commands/${name}.ts`])),
      // Loaded by command-metainfo.js for a magnet only (source/commands/load-part.ts).
      'command-metainfo-magnet': 'source/commands/metainfo-magnet.ts',
    },
    outdir,
  }),
  // The TUI: one CommonJS bundle with Ink, React and conf in it, loaded with a code cache that
  // its first run writes (source/bundle-loader.ts): compiling it was a third of the CPU before
  // the first frame.
  build({
    ...commonjs,
    packages: undefined,
    // react-devtools-core: only with DEV=true (Ink's debugging hook), not a dependency.
    external: ['bittorrent-dht', 'react-devtools-core'],
    plugins: [...commonjs.plugins, yogaBinaryPlugin, narrowWidthPlugin, fastAnsiTokenizePlugin, inkNoTopLevelAwaitPlugin],
    // React's production build (the CLI sets NODE_ENV=production before loading the TUI).
    define: { ...commonjs.define, 'process.env.NODE_ENV': '"production"' },
    entryPoints: { tui: 'source/tui.tsx' },
    outdir,
  }),
  build({
    ...common,
    packages: undefined,
    external: ['bittorrent-dht', 'react-devtools-core'],
    plugins: [yogaBinaryPlugin, narrowWidthPlugin],
    // React's production build (the CLI sets NODE_ENV=production before loading the TUI).
    define: { 'process.env.NODE_ENV': '"production"' },
    // Bundled CommonJS packages (React, ajv) require Node's built-in modules.
    banner: {
      js: "import { createRequire as __btuiCreateRequire } from 'node:module'; const require = __btuiCreateRequire(import.meta.url);",
    },
    entryPoints: { daemon: 'source/daemon.ts' },
    outdir,
    format: 'esm',
    splitting: true,
    outExtension: { '.js': '.mjs' },
    // Chunks sit beside the entries: the hasher finds ./hash-worker.js from any of them.
    chunkNames: '[name]-[hash]',
  }),
]);
chmodSync(`${outdir}/cli.js`, 0o755);

await writeCodeCaches(outdir);
