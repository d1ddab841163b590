// Waiting on what an Ink app draws instead of sleeping a fixed time: a loaded machine can take
// longer than any fixed delay, and an idle one need not wait that long.

export interface FrameSource {
  lastFrame(): string | undefined;
}

const POLL_MS = 5;
const tick = () => new Promise((resolve) => setTimeout(resolve, POLL_MS));

/**
 * Resolves with the frame once drawing has stopped: `quietMs` without a change after a change, or
 * `idleMs` without any change at all (a key that changes nothing). React's renders run before the
 * next timer, so a frame that stays put that long is the frame the input led to; what waits on a
 * promise (the store answering) is for frameWhere().
 */
export async function settledFrame(source: FrameSource, { quietMs = 20, idleMs = 60, timeoutMs = 5000 } = {}): Promise<string> {
  const start = Date.now();
  let frame = source.lastFrame() ?? '';
  let changedAt: number | undefined;
  for (;;) {
    await tick();
    const now = Date.now();
    const next = source.lastFrame() ?? '';
    if (next !== frame) {
      frame = next;
      changedAt = now;
    } else if (changedAt !== undefined ? now - changedAt >= quietMs : now - start >= idleMs) return frame;
    if (now - start >= timeoutMs) return frame;
  }
}

/** Resolves once `done()` holds (checked as frames come), or fails after `timeoutMs` saying what it waited for. */
export async function until(done: () => boolean, what = 'the condition', timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start >= timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await tick();
  }
}
