import { fileURLToPath } from 'node:url';

/**
 * Defined by scripts/build.mjs. Built, a command's rarely used part is a CommonJS bundle of its
 * own beside the command's (command-PART.js), so that the usual path neither reads nor compiles it.
 */
declare const BTUI_BUNDLE: true | undefined;

/** source/commands/PART.ts, or built, distribution/command-PART.js. */
export async function loadCommandPart<T>(part: string): Promise<T> {
  if (typeof BTUI_BUNDLE !== 'undefined') {
    const { requireBundle } = await import('../bundle-loader.js');
    return requireBundle(fileURLToPath(new URL(`./command-${part}.js`, import.meta.url))) as T;
  }
  // From source (tsx). A specifier in a variable: the build leaves it out of the bundle.
  const specifier = `./${part}.js`;
  return import(specifier) as Promise<T>;
}
