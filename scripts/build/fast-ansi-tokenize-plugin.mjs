// Routes Ink's frame assembly (ink/build/output.js) to source/ui/fast-ansi-tokenize.ts instead of
// @alcalzone/ansi-tokenize itself (see that file for why); everything else keeps the library.
import { fileURLToPath } from 'node:url';

const fastAnsiTokenize = fileURLToPath(new URL('../../source/ui/fast-ansi-tokenize.ts', import.meta.url));

export const fastAnsiTokenizePlugin = {
  name: 'fast-ansi-tokenize',
  setup(build) {
    build.onResolve({ filter: /^@alcalzone\/ansi-tokenize$/ }, (args) =>
      /[\\/]ink[\\/]build[\\/]output\.js$/.test(args.importer) ? { path: fastAnsiTokenize } : undefined,
    );
  },
};
