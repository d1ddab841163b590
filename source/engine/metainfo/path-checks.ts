/** Checks of a torrent's paths: each safe on its own (safe-path.ts), and no two colliding (FileTable's check). */
import type { FileTable } from './file-table.js';
import { safePathComponents, UnsafePathError } from './safe-path.js';
import { MetainfoError, type ParseOptions } from './types.js';

export function checkPath(components: string[], label: string, options: ParseOptions, paths?: FileTable): void {
  try {
    safePathComponents(components, options);
    paths?.add(components, components.length, 0, false);
  } catch (error) {
    if (error instanceof UnsafePathError) throw new MetainfoError(`${label}: ${error.message}`);
    throw error;
  }
}

export function checkComponent(component: string, label: string, options: ParseOptions): void {
  try {
    safePathComponents([component], options);
  } catch (error) {
    if (error instanceof UnsafePathError) throw new MetainfoError(`${label}: ${error.message}`);
    throw error;
  }
}
