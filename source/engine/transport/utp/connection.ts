// Over 400 lines: one state machine. The send half (window, retransmission, LEDBAT) and the receive half (reordering, selective acks) share the sequence numbers, the acks and the window each packet carries.
/**
 * One uTP connection (BEP 29): the state machine (SYN, STATE, DATA, FIN, RESET), the send
 * window with retransmission (timeouts, fast resend on three duplicate acks or three
 * selectively acked packets after a hole), the receive side's reordering and selective
 * ACKs, and LEDBAT. No sockets here: packets go out through `io.send`, time comes from
 * `io`, and the owner (UtpSocket) feeds packets in and calls tick() on a timer.
 */
import { Ledbat } from './ledbat.js';
import { headerLength, PacketType, restamp, writeHeader, type UtpPacket } from './packet.js';
import { RttEstimator } from './rtt.js';
import { seqAdd, seqDiff } from './seq.js';

export interface ConnectionIo {
  send(packet: Buffer): void;
  /** Milliseconds, monotonic. */
  nowMs(): number;
  /** Microseconds, wrapping at 2^32 (the header's timestamp). */
  nowUs(): number;
  /**
   * Asks for flushAcks() soon: once all packets of this read are in, or, `delayed`, within a
   * millisecond or so (an in-order packet alone: acking every other one halves the acks).
   */
  scheduleAck(connection: UtpConnection, delayed: boolean): void;
}

export interface ConnectionHandlers {
  connect?(): void;
  data?(chunk: Buffer): void;
  /** The remote's FIN: everything before it has been delivered. */
  end?(): void;
  /** The send buffer went below its limit. */
  drain?(): void;
  close?(error?: Error): void;
}

export interface ConnectionOptions {
  /** Payload bytes per packet; 1400 keeps a packet (with IP, UDP and uTP headers) under 1500. */
  packetBytes?: number;
  /** What we advertise as wnd_size, less what is buffered and unread. */
  receiveWindowBytes?: number;
  /** Bytes the application may queue before write() reports a full buffer. */
  sendBufferBytes?: number;
  /** Consecutive timeouts before the connection is given up (default 6). */
  maxTimeouts?: number;
  /** SYNs sent before a dial is given up (default 3: at 0, 1 and 3 s; it fails at 7 s). */
  synAttempts?: number;
  /** Bytes the receiving application holds unread (counted against the advertised window). */
  unread?(): number;
}

export type ConnectionState = 'idle' | 'syn-sent' | 'connected' | 'closed';

interface Outgoing {
  packet: Buffer;
  payloadBytes: number;
  sentAtMs: number;
  transmissions: number;
  /** Counted in inflightBytes (false once a timeout has queued it for resending). */
  inFlight: boolean;
  fastResent: boolean;
}

interface Incoming {
  payload: Buffer;
  fin: boolean;
}

/**
 * A fixed payload, no path MTU discovery: 1400 + 20 (uTP) + 8 (UDP) + 20 (IPv4) = 1448 bytes,
 * or 1468 over IPv6, under Ethernet's 1500 and PPPoE's 1492. A smaller path MTU (a VPN, a
 * tunnel) is survived, not avoided: the kernel fragments (IPv4, and IPv6 at the sender once
 * an ICMPv6 Packet Too Big arrives), and a lost fragment costs the whole packet.
 */
const DEFAULT_PACKET_BYTES = 1400;
/** Out-of-order packets we hold at most (further ones are dropped and come again). */
const MAX_REORDER = 4096;
const MAX_SACK_BYTES = 32;
const DUPLICATE_ACKS = 3;

export class UtpConnection {
  state: ConnectionState = 'idle';
  handlers: ConnectionHandlers = {};
  readonly packetBytes: number;

  // Sending
  private seqNr: number;
  /** Oldest of ours not yet acknowledged (== seqNr when none). */
  private oldestUnacked: number;
  private readonly outgoing = new Map<number, Outgoing>();
  private inflightBytes = 0;
  private readonly sendQueue: Buffer[] = [];
  private queuedBytes = 0;
  private finQueued = false;
  private finSeq: number | undefined;
  private peerWindow = 64 * 1024;
  private lastAckSeen = -1;
  private duplicateAcks = 0;
  /** Window cuts happen once per window of packets: not again for packets sent before this one. */
  private lossSeq: number;
  private timeouts = 0;
  private lastProgressMs: number;
  private wasFull = false;
  private flushScheduled = false;
  private readonly scheduledFlush = (): void => {
    this.flushScheduled = false;
    this.flush();
  };
  readonly rtt = new RttEstimator();
  readonly ledbat: Ledbat;

  // Receiving
  private ackNr = 0;
  private readonly reorder = new Map<number, Incoming>();
  private reorderMax = 0;
  private reorderBytes = 0;
  private replyDelayUs = 0;
  private ackPending = false;
  private ackDelayed = false;
  /** In-order packets received since our last ack. */
  private unackedPackets = 0;
  private remoteFinDelivered = false;
  private lastAdvertised = 0;

  private readonly receiveWindowBytes: number;
  private readonly sendBufferBytes: number;
  private readonly maxTimeouts: number;
  private readonly synAttempts: number;

  constructor(
    private readonly io: ConnectionIo,
    /** Ours: packets to us carry it. */
    readonly recvId: number,
    /** Theirs: packets from us carry it. */
    readonly sendId: number,
    private readonly options: ConnectionOptions = {},
    initialSeq = 1 + Math.floor(Math.random() * 0xfffe),
  ) {
    this.packetBytes = options.packetBytes ?? DEFAULT_PACKET_BYTES;
    this.receiveWindowBytes = options.receiveWindowBytes ?? 1024 * 1024;
    this.sendBufferBytes = options.sendBufferBytes ?? 256 * 1024;
    this.maxTimeouts = options.maxTimeouts ?? 6;
    this.synAttempts = options.synAttempts ?? 3;
    this.ledbat = new Ledbat({ packetBytes: this.packetBytes });
    this.seqNr = initialSeq & 0xffff;
    this.oldestUnacked = this.seqNr;
    this.lossSeq = seqAdd(this.seqNr, -1);
    this.lastProgressMs = io.nowMs();
  }

  /** Bytes queued or in flight: what write() counts against the send buffer. */
  get bufferedBytes(): number {
    return this.queuedBytes + this.inflightBytes;
  }

  get isConnected(): boolean {
    return this.state === 'connected';
  }

  /** Initiator: sends the SYN (its connection_id is our receive id, as BEP 29 has it). */
  connect(): void {
    this.state = 'syn-sent';
    const out = Buffer.allocUnsafe(headerLength());
    const seq = this.takeSeq();
    writeHeader(out, this.header(PacketType.Syn, seq, this.recvId));
    this.transmit(seq, { packet: out, payloadBytes: 0, sentAtMs: 0, transmissions: 0, inFlight: true, fastResent: false });
  }

  /** Acceptor: the SYN arrived; answer with a STATE (which the initiator takes as the connection's start). */
  accept(syn: UtpPacket): void {
    this.state = 'connected';
    this.ackNr = syn.seq;
    this.replyDelayUs = (this.io.nowUs() - syn.timestamp) >>> 0;
    this.sendState();
  }

  /** Queues bytes; false when the send buffer is over its limit ('drain' follows). */
  write(chunk: Buffer): boolean {
    if (this.state === 'closed' || this.finQueued) return false;
    if (chunk.length > 0) {
      this.sendQueue.push(chunk);
      this.queuedBytes += chunk.length;
      // What the application writes in one tick (a piece message's header and its block) goes
      // out in full packets, not one packet per write.
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        process.nextTick(this.scheduledFlush);
      }
    }
    const full = this.bufferedBytes >= this.sendBufferBytes;
    if (full) this.wasFull = true;
    return !full;
  }

  /** Sends a FIN after what is queued. */
  end(): void {
    if (this.finQueued || this.state === 'closed') return;
    this.finQueued = true;
    this.flush();
  }

  /** Closes at once: a FIN (best effort, not retransmitted) if connected, then no more packets. */
  destroy(): void {
    if (this.state === 'closed') return;
    if (this.state === 'connected' && this.finSeq === undefined) {
      const out = Buffer.allocUnsafe(headerLength());
      writeHeader(out, this.header(PacketType.Fin, this.takeSeq()));
      this.io.send(out);
    }
    this.close();
  }

  /** The application read what it held: if we had advertised a small window, say it is open again. */
  windowOpened(): void {
    if (this.state === 'connected' && this.lastAdvertised < this.packetBytes * 4) this.requestAck();
  }

  receive(p: UtpPacket): void {
    if (this.state === 'closed') return;
    if (p.type === PacketType.Reset) {
      // After both FINs a reset only means the other side is gone already: a clean end.
      if (this.finSeq !== undefined && this.remoteFinDelivered) this.close();
      else this.close(Object.assign(new Error('uTP connection reset by peer'), { code: 'ECONNRESET' }));
      return;
    }
    if (p.type === PacketType.Syn) {
      // Our STATE was lost: the initiator asks again.
      if (this.state === 'connected' && seqDiff(p.seq, this.ackNr) === 0) this.sendState();
      return;
    }
    this.replyDelayUs = (this.io.nowUs() - p.timestamp) >>> 0;
    this.peerWindow = p.windowSize;
    if (this.state === 'syn-sent') {
      if (p.type !== PacketType.State) return;
      // The STATE answering a SYN carries the seq_nr the remote's first DATA will use.
      this.ackNr = seqAdd(p.seq, -1);
      this.state = 'connected';
      this.onAck(p);
      this.handlers.connect?.();
      this.flush();
      return;
    }
    this.onAck(p);
    if (this.state !== 'connected') return;
    if (p.type === PacketType.Data || p.type === PacketType.Fin) this.onData(p);
    this.flush();
    this.maybeClose();
  }

  /** The retransmission timer; called every few tens of milliseconds. */
  tick(): void {
    if (this.state === 'closed' || this.outgoing.size === 0) return;
    const now = this.io.nowMs();
    if (now - this.lastProgressMs < this.rtt.rto) return;
    this.timeouts++;
    if (this.timeouts >= (this.state === 'syn-sent' ? this.synAttempts : this.maxTimeouts + 1)) {
      this.close(Object.assign(new Error('uTP connection timed out'), { code: 'ETIMEDOUT' }));
      return;
    }
    this.rtt.timedOut();
    this.ledbat.timedOut();
    // Everything out is presumed lost: resend from the oldest, as the window allows.
    for (const o of this.outgoing.values()) {
      if (o.inFlight) this.inflightBytes -= o.payloadBytes;
      o.inFlight = false;
    }
    this.lossSeq = seqAdd(this.seqNr, -1);
    this.lastProgressMs = now;
    this.flush(true);
  }

  /** Sends the ACK a read of data asked for (scheduled through io.scheduleAck). */
  flushAcks(): void {
    if (!this.ackPending || this.state === 'closed') return;
    this.sendState();
  }

  // ---- receiving -------------------------------------------------------------------------

  private onData(p: UtpPacket): void {
    const ahead = seqDiff(p.seq, seqAdd(this.ackNr, 1));
    if (ahead < 0 || this.remoteFinDelivered) {
      this.requestAck(); // a duplicate: our ack was lost
      return;
    }
    if (ahead > 0) {
      if (ahead < MAX_REORDER && !this.reorder.has(p.seq)) {
        this.reorder.set(p.seq, { payload: p.payload, fin: p.type === PacketType.Fin });
        this.reorderBytes += p.payload.length;
        this.reorderMax = Math.max(this.reorderMax, ahead);
      }
      this.requestAck();
      return;
    }
    this.deliver(p.payload, p.type === PacketType.Fin);
    while (!this.remoteFinDelivered && this.reorder.size > 0) {
      const next = seqAdd(this.ackNr, 1);
      const held = this.reorder.get(next);
      if (!held) break;
      this.reorder.delete(next);
      this.reorderBytes -= held.payload.length;
      this.deliver(held.payload, held.fin);
    }
    if (this.reorder.size === 0) this.reorderMax = 0;
    this.unackedPackets++;
    this.requestAck(this.reorder.size === 0 && this.unackedPackets < 2 && !this.remoteFinDelivered);
  }

  private deliver(payload: Buffer, fin: boolean): void {
    this.ackNr = seqAdd(this.ackNr, 1);
    if (fin) {
      this.remoteFinDelivered = true;
      this.reorder.clear();
      this.reorderBytes = 0;
      this.handlers.end?.();
      return;
    }
    if (payload.length > 0) this.handlers.data?.(payload);
  }

  private requestAck(delayed = false): void {
    if (this.ackPending && (delayed || !this.ackDelayed)) return;
    this.ackPending = true;
    this.ackDelayed = delayed;
    this.io.scheduleAck(this, delayed);
  }

  private sack(): Buffer | undefined {
    if (this.reorder.size === 0) return undefined;
    // Bit i stands for ackNr + 2 + i; reorderMax is the furthest held, as (seq - (ackNr + 1)).
    const bytes = Math.min(MAX_SACK_BYTES, Math.ceil(this.reorderMax / 32) * 4);
    const mask = Buffer.alloc(Math.max(4, bytes));
    const base = seqAdd(this.ackNr, 2);
    for (const seq of this.reorder.keys()) {
      const i = seqDiff(seq, base);
      if (i >= 0 && i < mask.length * 8) mask[i >> 3]! |= 1 << (i & 7);
    }
    return mask;
  }

  private advertisedWindow(): number {
    const unread = this.options.unread?.() ?? 0;
    this.lastAdvertised = Math.max(0, this.receiveWindowBytes - unread - this.reorderBytes);
    return this.lastAdvertised;
  }

  // ---- acknowledgements ------------------------------------------------------------------

  private onAck(p: UtpPacket): void {
    const now = this.io.nowMs();
    const windowLimited = this.inflightBytes + this.packetBytes > this.effectiveWindow();
    let ackedBytes = 0;
    let newlyAcked = false;
    // Cumulative: everything from the oldest unacked through p.ack (when p.ack is one of ours).
    const through = seqDiff(p.ack, this.oldestUnacked);
    if (through >= 0 && seqDiff(p.ack, this.seqNr) < 0) {
      for (let i = 0; i <= through; i++) {
        const seq = seqAdd(this.oldestUnacked, i);
        const acked = this.acknowledge(seq, now);
        if (acked >= 0) {
          ackedBytes += acked;
          newlyAcked = true;
        }
      }
    }
    let sackedAfterHole = 0;
    if (p.sack) {
      const base = seqAdd(p.ack, 2);
      for (let i = 0; i < p.sack.length * 8; i++) {
        if ((p.sack[i >> 3]! & (1 << (i & 7))) === 0) continue;
        const seq = seqAdd(base, i);
        if (seqDiff(seq, this.seqNr) >= 0) break;
        sackedAfterHole++;
        const acked = this.acknowledge(seq, now);
        if (acked >= 0) {
          ackedBytes += acked;
          newlyAcked = true;
        }
      }
    }
    while (this.oldestUnacked !== this.seqNr && !this.outgoing.has(this.oldestUnacked)) this.oldestUnacked = seqAdd(this.oldestUnacked, 1);

    if (p.timestampDiff !== 0 && newlyAcked) this.ledbat.delaySample(p.timestampDiff, now);
    if (newlyAcked) {
      this.timeouts = 0;
      this.rtt.acknowledged();
      this.lastProgressMs = now;
      this.ledbat.acked(ackedBytes, windowLimited);
    }

    // Fast resend: the same ack three times with data out, or three packets after a hole acked selectively.
    if (p.type === PacketType.State && !newlyAcked && p.ack === this.lastAckSeen && this.outgoing.size > 0) this.duplicateAcks++;
    else if (p.ack !== this.lastAckSeen) this.duplicateAcks = 0;
    this.lastAckSeen = p.ack;
    if (this.outgoing.size > 0 && (this.duplicateAcks >= DUPLICATE_ACKS || sackedAfterHole >= DUPLICATE_ACKS)) {
      const lost = this.outgoing.get(this.oldestUnacked);
      if (lost && !lost.fastResent && seqDiff(p.ack, this.oldestUnacked) < 0) {
        lost.fastResent = true;
        this.duplicateAcks = 0;
        if (seqDiff(this.oldestUnacked, this.lossSeq) > 0) {
          this.ledbat.lost();
          this.lossSeq = seqAdd(this.seqNr, -1);
        }
        this.transmit(this.oldestUnacked, lost);
      }
    }

    if (this.wasFull && this.bufferedBytes < this.sendBufferBytes) {
      this.wasFull = false;
      this.handlers.drain?.();
    }
  }

  /** Takes one of ours out of the window; its payload size, or -1 if it was not outstanding. */
  private acknowledge(seq: number, now: number): number {
    const o = this.outgoing.get(seq);
    if (!o) return -1;
    this.outgoing.delete(seq);
    if (o.inFlight) this.inflightBytes -= o.payloadBytes;
    if (o.transmissions === 1) this.rtt.sample(now - o.sentAtMs);
    return o.payloadBytes;
  }

  // ---- sending ---------------------------------------------------------------------------

  private effectiveWindow(): number {
    return Math.min(this.ledbat.window, this.peerWindow);
  }

  /** Resends what a timeout marked, then sends new data, as far as the window allows. */
  private flush(afterTimeout = false): void {
    if (this.state !== 'connected') {
      if (afterTimeout) this.resendMarked(); // the SYN
      return;
    }
    this.resendMarked();
    while (this.queuedBytes > 0) {
      const size = Math.min(this.packetBytes, this.queuedBytes);
      // One packet always goes when nothing is out, so a zero window is probed.
      if (this.inflightBytes > 0 && this.inflightBytes + size > this.effectiveWindow()) break;
      this.sendData(size);
    }
    if (this.finQueued && this.finSeq === undefined && this.queuedBytes === 0) {
      const out = Buffer.allocUnsafe(headerLength());
      const seq = this.takeSeq();
      this.finSeq = seq;
      writeHeader(out, this.header(PacketType.Fin, seq));
      this.transmit(seq, { packet: out, payloadBytes: 0, sentAtMs: 0, transmissions: 0, inFlight: true, fastResent: false });
    }
  }

  private resendMarked(): void {
    if (this.outgoing.size === 0) return;
    for (let seq = this.oldestUnacked; seq !== this.seqNr; seq = seqAdd(seq, 1)) {
      const o = this.outgoing.get(seq);
      if (!o || o.inFlight) continue;
      if (this.inflightBytes > 0 && this.inflightBytes + o.payloadBytes > this.effectiveWindow()) return;
      o.inFlight = true;
      this.inflightBytes += o.payloadBytes;
      this.transmit(seq, o);
    }
  }

  private sendData(size: number): void {
    const start = headerLength();
    const out = Buffer.allocUnsafe(start + size);
    let written = 0;
    while (written < size) {
      const head = this.sendQueue[0]!;
      const take = Math.min(head.length, size - written);
      head.copy(out, start + written, 0, take);
      written += take;
      if (take === head.length) this.sendQueue.shift();
      else this.sendQueue[0] = head.subarray(take);
    }
    this.queuedBytes -= size;
    const seq = this.takeSeq();
    writeHeader(out, this.header(PacketType.Data, seq));
    this.inflightBytes += size;
    this.transmit(seq, { packet: out, payloadBytes: size, sentAtMs: 0, transmissions: 0, inFlight: true, fastResent: false });
  }

  /** (Re)sends a packet kept in the window, stamped afresh; it carries our ack, so no separate one is due. */
  private transmit(seq: number, o: Outgoing): void {
    const now = this.io.nowMs();
    if (this.outgoing.size === 0) this.lastProgressMs = now;
    this.outgoing.set(seq, o);
    o.transmissions++;
    o.sentAtMs = now;
    restamp(o.packet, this.io.nowUs(), this.replyDelayUs, this.advertisedWindow(), this.ackNr);
    if (this.reorder.size === 0) this.ackSent();
    this.io.send(o.packet);
  }

  private ackSent(): void {
    this.ackPending = false;
    this.ackDelayed = false;
    this.unackedPackets = 0;
  }

  private sendState(): void {
    this.ackSent();
    const sack = this.sack();
    const out = Buffer.allocUnsafe(headerLength(sack?.length ?? 0));
    writeHeader(out, this.header(PacketType.State, this.seqNr), sack);
    this.io.send(out);
  }

  private header(type: PacketType, seq: number, connectionId = this.sendId) {
    return {
      type,
      connectionId,
      timestamp: this.io.nowUs(),
      timestampDiff: this.replyDelayUs,
      windowSize: this.advertisedWindow(),
      seq,
      ack: this.ackNr,
    };
  }

  private takeSeq(): number {
    const seq = this.seqNr;
    this.seqNr = seqAdd(this.seqNr, 1);
    return seq;
  }

  /** Both FINs done (ours acknowledged, theirs delivered): the connection is over. */
  private maybeClose(): void {
    if (this.finSeq === undefined || !this.remoteFinDelivered || this.outgoing.has(this.finSeq)) return;
    if (this.ackPending) this.sendState(); // the ack of their FIN
    this.close();
  }

  private close(error?: Error): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.outgoing.clear();
    this.reorder.clear();
    this.reorderBytes = 0;
    this.sendQueue.length = 0;
    this.queuedBytes = 0;
    this.inflightBytes = 0;
    this.handlers.close?.(error);
  }
}
