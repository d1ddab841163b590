import { writeSync } from 'node:fs';

/** Set once stdout was full: what follows goes through process.stdout too, after what it holds. */
let throughStream = false;

/**
 * All of `text` to stdout, straight to the descriptor: creating process.stdout loads the stream
 * machinery (and net, for a pipe), a few ms of a command meant to cost little more than Node's start.
 */
export function writeStdout(text: string | Uint8Array): void {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  if (throughStream) {
    process.stdout.write(bytes);
    return;
  }
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(1, bytes, done);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return endOfOutput(error);
    // A non-blocking stdout that is full: the stream waits for it to drain.
    throughStream = true;
    process.stdout.on('error', endOfOutput);
    process.stdout.write(bytes.subarray(done));
  }
}

/** A reader that goes away early (`| head`) is not an error worth a stack. */
function endOfOutput(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0);
  throw error;
}
