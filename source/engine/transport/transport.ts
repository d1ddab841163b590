import type { Duplex } from 'node:stream';

/** A stream to a peer as a transport opened it: TCP today; uTP or an encrypted stream later. */
export interface OpenedStream {
  stream: Duplex;
  /**
   * For streams whose reads bypass 'data' events (a shared read buffer): where the bytes go.
   * Those that arrive before it is called are held and handed over first.
   */
  deliverTo?(receiver: (chunk: Buffer) => void): void;
}

export interface Dialing {
  /** Gives up on the dial (or closes the stream it opened); no callback follows. */
  cancel(): void;
}

/** How bytes reach a peer. Exactly one of opened / failed is called per dial, unless it is cancelled first. */
export interface Transport {
  readonly name: string;
  dial(host: string, port: number, timeoutMs: number, callbacks: { opened(s: OpenedStream): void; failed(): void }): Dialing;
  /** Told that an address speaks uTP (or not), for transports that choose by it. */
  learn?(host: string, port: number, speaksUtp: boolean): void;
  /** Whether the address is known to speak uTP (true), known not to or uTP is off (false), or not known. */
  speaksUtp?(host: string, port: number): boolean | undefined;
}
