/**
 * Drives an MSE/PE handshake over a socket: its bytes to the state machine, its output to the
 * socket, a deadline; then the payload stream or the reason it failed. The socket is destroyed
 * on failure. When the two sides picked plaintext (most of them: `prefer` takes it when offered)
 * the payload stream is the socket itself, read through `deliverTo`: a CipherStream in between
 * would only pass the bytes on, at the cost of a second Writable for every message written.
 */
import type { Duplex } from 'node:stream';
import { CipherStream } from './cipher-stream.js';
import { heldUntilDelivered, type ByteSource } from './byte-source.js';
import { MseError, MseInitiator, MseResponder, type InitiatorOptions, type MseResult, type ResponderOptions } from './handshake.js';

export interface MseOutcome {
  /** Where the wire writes: a CipherStream over the socket for RC4, the socket itself for plaintext. */
  stream: Duplex;
  /** Where the payload's bytes go, decrypted (never as 'data' events on `stream`); those already here come first. */
  deliverTo(receiver: (chunk: Buffer) => void): void;
  result: MseResult;
}

export interface Running {
  cancel(): void;
}

type Done = (error: Error | undefined, outcome?: MseOutcome) => void;

export function initiateMse(socket: Duplex, source: ByteSource, options: InitiatorOptions, timeoutMs: number, done: Done): Running {
  const handshake = new MseInitiator(options, (bytes) => socket.write(bytes));
  const running = drive(handshake, socket, source, timeoutMs, done);
  handshake.start();
  return running;
}

export function respondMse(socket: Duplex, source: ByteSource, options: ResponderOptions, timeoutMs: number, done: Done): Running {
  return drive(new MseResponder(options, (bytes) => socket.write(bytes)), socket, source, timeoutMs, done);
}

function drive(handshake: MseInitiator | MseResponder, socket: Duplex, source: ByteSource, timeoutMs: number, done: Done): Running {
  let finished = false;
  const finish = (error: Error | undefined, outcome?: MseOutcome) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.off('close', onClose);
    socket.off('error', onClose);
    if (error) socket.destroy();
    done(error, outcome);
  };
  const onClose = () => finish(new MseError('closed during the encryption handshake'));
  const timer = setTimeout(() => finish(new MseError(`no encryption handshake within ${timeoutMs} ms`)), timeoutMs);
  timer.unref();
  socket.once('close', onClose);
  socket.on('error', onClose);
  source((chunk) => {
    if (finished) return;
    let complete: boolean;
    try {
      complete = handshake.receive(chunk);
    } catch (error) {
      finish(error instanceof MseError ? error : new MseError(String(error)));
      return;
    }
    if (!complete) return;
    const result = handshake.result!;
    // From here the socket's bytes go to the payload stream.
    if (result.encrypt) {
      const stream = new CipherStream(socket, result.encrypt, result.decrypt, source, result.initial);
      finish(undefined, { stream, deliverTo: (receiver) => stream.deliverTo(receiver), result });
    } else {
      finish(undefined, { stream: socket, deliverTo: heldUntilDelivered(source, result.initial), result });
    }
  });
  return {
    cancel() {
      finish(new MseError('cancelled'));
    },
  };
}
