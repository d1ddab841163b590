// Bundles seeding-memory.ts as the build does and runs it with --expose-gc (run-bundled.mjs).
import { runBundled } from './run-bundled.mjs';

await runBundled('seeding-memory', process.argv.slice(2));
