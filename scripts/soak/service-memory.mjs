// Bundles service-memory.ts as the build does and runs it with --expose-gc.
import { runBundled } from './run-bundled.mjs';

await runBundled('scripts/soak/service-memory.ts', ['--expose-gc'], process.argv.slice(2));
