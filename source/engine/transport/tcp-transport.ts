import { connectPeerSocket } from './peer-socket.js';
import type { Dialing, Transport } from './transport.js';

/** Plain TCP over the shared-read-buffer sockets of peer-socket.ts. */
export const tcpTransport: Transport = {
  name: 'tcp',
  dial(host, port, timeoutMs, callbacks): Dialing {
    const { socket, deliverTo } = connectPeerSocket(host, port);
    let done = false;
    const fail = () => {
      if (done) return;
      done = true;
      callbacks.failed();
    };
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.once('error', fail);
    socket.once('close', fail);
    socket.once('connect', () => {
      if (done) return;
      done = true;
      socket.setTimeout(0);
      callbacks.opened({ stream: socket, deliverTo });
    });
    return {
      cancel() {
        done = true;
        socket.destroy();
      },
    };
  },
};
