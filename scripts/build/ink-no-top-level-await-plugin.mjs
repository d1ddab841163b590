// Ink's reconciler awaits two imports at its top level, both only when DEV=true (React
// DevTools, and Ink's package.json for it). Top-level await keeps a bundle an ES module; without
// them the TUI is a CommonJS bundle that loads with a V8 code cache (source/bundle-loader.ts).
// DEV=true then connects no DevTools (react-devtools-core is not a dependency anyway).
import { readFileSync } from 'node:fs';

const AWAITS = [
  ["await import('./devtools.js');", 'void 0;'],
  ['? await loadPackageJson()', '? { name: undefined, version: undefined }'],
];

export const inkNoTopLevelAwaitPlugin = {
  name: 'ink-no-top-level-await',
  setup(build) {
    build.onLoad({ filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      for (const [from, to] of AWAITS) {
        if (!text.includes(from))
          throw new Error(`ink-no-top-level-await: no "${from}" in ${args.path} (an Ink this plugin does not know)`);
        text = text.replace(from, to);
      }
      return { loader: 'js', contents: text };
    });
  },
};
