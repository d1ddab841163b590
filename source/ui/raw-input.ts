import { useStdin } from 'ink';
import { useEffect, useRef } from 'react';

/**
 * The last chunk read from the terminal, as it came. Ink names both Backspace (\x7f) and
 * Delete (\x1b[3~) 'delete', which a line editor must tell apart; its input event carries
 * the raw chunk. Call it before useInput: listeners run in the order they were added.
 */
export function useRawInput(): { readonly current: string } {
  const last = useRef('');
  const { internal_eventEmitter: emitter } = useStdin() as { internal_eventEmitter?: NodeJS.EventEmitter };
  useEffect(() => {
    if (!emitter) return;
    const onInput = (data: string | Buffer) => {
      last.current = String(data);
    };
    emitter.on('input', onInput);
    return () => {
      emitter.removeListener('input', onInput);
    };
  }, [emitter]);
  return last;
}

/** Delete (the key that removes the character under the cursor) rather than Backspace. */
export function isForwardDelete(raw: string): boolean {
  return /^\x1b\[3[~;$^]/.test(raw);
}
