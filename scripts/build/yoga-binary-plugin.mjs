// yoga-layout (Ink's layout engine) ships its WebAssembly as a base64 data: URL that its
// Emscripten loader reads with fetch(): the first fetch() in a Node process loads undici and web
// streams, about a third of the TUI's start-up CPU. This plugin hands the loader the bytes
// itself (its `wasmBinary` option) and keeps one copy of the base64 text in the bundle, and
// compiles it synchronously (the ~70 KB module takes a few ms).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const DATA_URL = /"data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)"/;

function wasmBase64(binariesFile) {
  const match = DATA_URL.exec(readFileSync(binariesFile, 'utf8'));
  if (!match) throw new Error(`yoga-binary-plugin: no base64 wasm in ${binariesFile} (a yoga-layout this plugin does not know)`);
  return match[1];
}

export const yogaBinaryPlugin = {
  name: 'yoga-binary',
  setup(build) {
    build.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]src[\\/]index\.js$/ }, (args) => {
      const base64 = wasmBase64(join(dirname(args.path), '..', 'binaries', 'yoga-wasm-base64-esm.js'));
      return {
        loader: 'js',
        contents: [
          "import loadYoga from '../binaries/yoga-wasm-base64-esm.js';",
          "import wrapAssembly from './wrapAssembly.js';",
          `const wasmBinary = Buffer.from(${JSON.stringify(base64)}, 'base64');`,
          // Instantiated synchronously (Emscripten's instantiateWasm hook): the module object is
          // ready when loadYoga returns, so no top-level await, and the TUI can be a CommonJS
          // bundle loaded with a code cache. (The promise it returns resolves to the same object.)
          'const yogaModule = {',
          '  wasmBinary,',
          '  instantiateWasm(imports, receive) {',
          '    const module = new WebAssembly.Module(wasmBinary);',
          '    const instance = new WebAssembly.Instance(module, imports);',
          '    receive(instance, module);',
          '    return instance.exports;',
          '  },',
          '};',
          'void loadYoga(yogaModule);',
          'const Yoga = wrapAssembly(yogaModule);',
          'export default Yoga;',
          "export * from './generated/YGEnums.js';",
        ].join('\n'),
      };
    });
    // The loader's own copy of the data URL is then never read: emptied, not parsed twice.
    build.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!DATA_URL.test(text)) throw new Error(`yoga-binary-plugin: no base64 wasm in ${args.path}`);
      return { loader: 'js', contents: text.replace(DATA_URL, '"data:application/octet-stream;base64,"') };
    });
  },
};
