import { readFile } from 'node:fs/promises';

let cached: Promise<string | undefined> | undefined;

/**
 * An id of this boot of the machine (Linux), or undefined where there is none.
 *
 * Written data sits in the page cache until the kernel writes it back: it survives the death of
 * the process (even SIGKILL) but not a crash of the machine, which always means a new boot. So
 * resume data saved without flushing records the boot id, and is trusted only in the same boot.
 */
export function bootId(): Promise<string | undefined> {
  cached ??= readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
    (text) => (/^[0-9a-f-]{16,64}$/i.test(text.trim()) ? text.trim() : undefined),
    () => undefined,
  );
  return cached;
}
