// Routes every bundled import of string-width (Ink's, wrap-ansi's, ...) through
// source/ui/narrow-width.ts: the common one-column text is measured at once, the rest by the
// importer's own string-width (see that file for why).
import { fileURLToPath } from 'node:url';

const narrowWidth = fileURLToPath(new URL('../../source/ui/narrow-width.ts', import.meta.url));

export const narrowWidthPlugin = {
  name: 'narrow-width',
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const real = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { real: true } });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'narrow-width' };
    });
    build.onLoad({ filter: /.*/, namespace: 'narrow-width' }, (args) => ({
      loader: 'js',
      resolveDir: process.cwd(),
      contents: [
        `import stringWidth from ${JSON.stringify(args.path)};`,
        `import { narrowWidth } from ${JSON.stringify(narrowWidth)};`,
        'export default (text, options) => narrowWidth(text, options) ?? stringWidth(text, options);',
      ].join('\n'),
    }));
  },
};
