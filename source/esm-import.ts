/**
 * import() of an ES-module-only package (bittorrent-dht) for code that the built CLI runs from
 * a CommonJS bundle compiled with a V8 code cache (bundle-loader.ts): Node 20 loses a script's
 * import() hook when the script comes from a code cache ("A dynamic import callback was not
 * specified"). The build keeps this file as its own small module, distribution/esm-import.js,
 * which Node loads itself, so its import() works wherever it is called from.
 */
export function importModule<T>(specifier: string): Promise<T> {
  return import(specifier) as Promise<T>;
}
