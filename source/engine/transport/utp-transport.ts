import type { UtpSocket } from './utp/utp-socket.js';
import type { Dialing, Transport } from './transport.js';

/** uTP over the listen port's UDP socket of the peer's family: opened once the remote answers our SYN. */
export function makeUtpTransport(socket: (host: string) => UtpSocket | undefined): Transport {
  return {
    name: 'utp',
    dial(host, port, timeoutMs, callbacks): Dialing {
      const utp = socket(host);
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const fail = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        callbacks.failed();
      };
      if (!utp) {
        queueMicrotask(fail);
        return { cancel: () => (done = true) };
      }
      const stream = utp.connect(host, port);
      timer = setTimeout(() => {
        stream.destroy();
        fail();
      }, timeoutMs);
      stream.once('error', fail);
      stream.once('close', fail);
      stream.once('connect', () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        stream.off('error', fail);
        stream.on('error', () => undefined);
        callbacks.opened({ stream });
      });
      return {
        cancel() {
          done = true;
          clearTimeout(timer);
          stream.destroy();
        },
      };
    },
  };
}
