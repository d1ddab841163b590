/**
 * The MSE/PE handshake as two state machines without I/O: bytes in through `receive`, bytes
 * out through `send`. Once done, `result` says what the payload stream is: the method picked,
 * the RC4 states to carry on with, and the payload bytes that already arrived (decrypted).
 *
 *   A -> B  Ya, PadA
 *   B -> A  Yb, PadB
 *   A -> B  HASH('req1', S), HASH('req2', SKEY) xor HASH('req3', S),
 *           ENCRYPT(VC, crypto_provide, len(PadC), PadC, len(IA)), ENCRYPT(IA)
 *   B -> A  ENCRYPT(VC, crypto_select, len(PadD), PadD), payload
 *
 * Neither side knows the other's pad length: A finds B's encrypted VC, B finds HASH('req1', S),
 * each within the 512 bytes a pad may take. Any violation throws MseError.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { DH_LENGTH, makeKeyPair, type KeyPair } from './dh.js';
import { CRYPTO_PLAINTEXT, CRYPTO_RC4 } from './policy.js';
import { createRc4, type Rc4 } from './rc4.js';

export const MAX_PAD = 512;
const VC_LENGTH = 8;
/** The initial payload carries a BitTorrent handshake and maybe a message or two; more is hostile. */
export const MAX_IA = 16 * 1024;

export class MseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MseError';
  }
}

export interface MseResult {
  /** CRYPTO_RC4 or CRYPTO_PLAINTEXT. */
  method: number;
  /** The RC4 states for the payload; absent when the stream is plaintext. */
  encrypt?: Rc4;
  decrypt?: Rc4;
  /** Payload bytes already received, decrypted: the IA (responder) and whatever followed. */
  initial: Buffer;
  /** The torrent the initiator named (responder side). */
  infoHash?: Buffer;
}

function sha1(...parts: (string | Buffer)[]): Buffer {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** HASH('req2', SKEY): how the responder recognises a torrent without the initiator naming it in the clear. */
export function req2Hash(infoHash: Buffer): Buffer {
  return sha1('req2', infoHash);
}

function pad(): Buffer {
  return randomBytes(randomInt(MAX_PAD + 1));
}

abstract class MseHandshake {
  result: MseResult | undefined;
  protected buffer = Buffer.alloc(0);
  protected readonly keys: KeyPair = makeKeyPair();

  constructor(protected readonly send: (bytes: Buffer) => void) {}

  get done(): boolean {
    return this.result !== undefined;
  }

  /** Feeds bytes from the remote; true once the handshake is complete. Throws MseError. */
  receive(chunk: Buffer): boolean {
    if (this.result) throw new Error('handshake already complete');
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    while (!this.result && this.step());
    return this.done;
  }

  /** One state's work if its bytes are there; false to wait for more. */
  protected abstract step(): boolean;

  protected take(n: number): Buffer {
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  protected secret(y: Buffer): Buffer {
    try {
      return this.keys.secret(y);
    } catch {
      throw new MseError('bad Diffie-Hellman value');
    }
  }

  /** Skips everything up to and including `marker` if it is within `window` bytes; throws once it cannot be. */
  protected sync(marker: Buffer, window: number, what: string): boolean {
    const at = this.buffer.subarray(0, window + marker.length).indexOf(marker);
    if (at < 0) {
      if (this.buffer.length >= window + marker.length) throw new MseError(`no ${what} within ${window} bytes`);
      return false;
    }
    this.take(at + marker.length);
    return true;
  }
}

export interface InitiatorOptions {
  /** The torrent's info-hash. */
  skey: Buffer;
  /** crypto_provide bits. */
  provide: number;
  /** Sent encrypted in the third message: our BitTorrent handshake. */
  initialPayload?: Buffer;
}

/** The dialling side (A). */
export class MseInitiator extends MseHandshake {
  private state: 'yb' | 'vc' | 'select' | 'padD' = 'yb';
  private encrypt?: Rc4;
  private decrypt?: Rc4;
  private vc?: Buffer;
  private selected = 0;
  private padD = 0;

  constructor(
    private readonly options: InitiatorOptions,
    send: (bytes: Buffer) => void,
  ) {
    super(send);
    if (options.initialPayload && options.initialPayload.length > MAX_IA) throw new RangeError('initial payload too long');
  }

  start(): void {
    this.send(Buffer.concat([this.keys.publicKey, pad()]));
  }

  protected step(): boolean {
    switch (this.state) {
      case 'yb': {
        if (this.buffer.length < DH_LENGTH) return false;
        const s = this.secret(this.take(DH_LENGTH));
        const { skey, provide, initialPayload = Buffer.alloc(0) } = this.options;
        this.encrypt = createRc4(sha1('keyA', s, skey));
        this.decrypt = createRc4(sha1('keyB', s, skey));
        // What B's VC looks like encrypted: the first 8 bytes of its keystream.
        this.vc = createRc4(sha1('keyB', s, skey)).update(Buffer.alloc(VC_LENGTH));
        const head = Buffer.alloc(VC_LENGTH + 8);
        head.writeUInt32BE(provide, VC_LENGTH);
        head.writeUInt16BE(0, VC_LENGTH + 4); // len(PadC): PadA already hid the lengths
        head.writeUInt16BE(initialPayload.length, VC_LENGTH + 6);
        const encrypted = this.encrypt.update(Buffer.concat([head, initialPayload]));
        this.send(Buffer.concat([sha1('req1', s), xor(sha1('req2', skey), sha1('req3', s)), encrypted]));
        this.state = 'vc';
        return true;
      }
      case 'vc':
        if (!this.sync(this.vc!, MAX_PAD, 'verification constant')) return false;
        this.decrypt!.update(Buffer.alloc(VC_LENGTH));
        this.state = 'select';
        return true;
      case 'select': {
        if (this.buffer.length < 6) return false;
        const head = this.decrypt!.update(Buffer.from(this.take(6)));
        this.selected = head.readUInt32BE(0);
        this.padD = head.readUInt16BE(4);
        if ((this.selected !== CRYPTO_RC4 && this.selected !== CRYPTO_PLAINTEXT) || !(this.selected & this.options.provide)) {
          throw new MseError(`remote selected ${this.selected}, not one of ${this.options.provide}`);
        }
        if (this.padD > MAX_PAD) throw new MseError(`PadD of ${this.padD} bytes`);
        this.state = 'padD';
        return true;
      }
      case 'padD': {
        if (this.buffer.length < this.padD) return false;
        this.decrypt!.update(Buffer.from(this.take(this.padD)));
        const rc4 = this.selected === CRYPTO_RC4;
        const rest = Buffer.from(this.take(this.buffer.length));
        this.result = {
          method: this.selected,
          encrypt: rc4 ? this.encrypt : undefined,
          decrypt: rc4 ? this.decrypt : undefined,
          initial: rc4 ? this.decrypt!.update(rest) : rest,
        };
        return false;
      }
    }
  }
}

export interface ResponderOptions {
  /** The info-hash whose HASH('req2', info-hash) this is, if we have that torrent. */
  infoHashFor(req2: Buffer): Buffer | undefined;
  /** crypto_select for a crypto_provide; 0 refuses. */
  select(provided: number): number;
}

/** The accepting side (B). */
export class MseResponder extends MseHandshake {
  private state: 'ya' | 'req1' | 'req2' | 'provide' | 'padC' | 'ia' = 'ya';
  private s?: Buffer;
  private req1?: Buffer;
  private infoHash?: Buffer;
  private decrypt?: Rc4;
  private encrypt?: Rc4;
  private provided = 0;
  private padC = 0;
  private ia = 0;

  constructor(
    private readonly options: ResponderOptions,
    send: (bytes: Buffer) => void,
  ) {
    super(send);
  }

  protected step(): boolean {
    switch (this.state) {
      case 'ya': {
        if (this.buffer.length < DH_LENGTH) return false;
        this.s = this.secret(this.take(DH_LENGTH));
        this.req1 = sha1('req1', this.s);
        this.send(Buffer.concat([this.keys.publicKey, pad()]));
        this.state = 'req1';
        return true;
      }
      case 'req1':
        if (!this.sync(this.req1!, MAX_PAD, 'HASH(req1, S)')) return false;
        this.state = 'req2';
        return true;
      case 'req2': {
        if (this.buffer.length < 20) return false;
        const req2 = xor(this.take(20), sha1('req3', this.s!));
        const infoHash = this.options.infoHashFor(req2);
        if (!infoHash) throw new MseError('no torrent for that SKEY');
        this.infoHash = infoHash;
        this.decrypt = createRc4(sha1('keyA', this.s!, infoHash));
        this.encrypt = createRc4(sha1('keyB', this.s!, infoHash));
        this.state = 'provide';
        return true;
      }
      case 'provide': {
        if (this.buffer.length < VC_LENGTH + 6) return false;
        const head = this.decrypt!.update(Buffer.from(this.take(VC_LENGTH + 6)));
        if (!head.subarray(0, VC_LENGTH).equals(Buffer.alloc(VC_LENGTH))) throw new MseError('bad verification constant');
        this.provided = head.readUInt32BE(VC_LENGTH);
        this.padC = head.readUInt16BE(VC_LENGTH + 4);
        if (this.padC > MAX_PAD) throw new MseError(`PadC of ${this.padC} bytes`);
        this.state = 'padC';
        return true;
      }
      case 'padC': {
        if (this.buffer.length < this.padC + 2) return false;
        const bytes = this.decrypt!.update(Buffer.from(this.take(this.padC + 2)));
        this.ia = bytes.readUInt16BE(this.padC);
        if (this.ia > MAX_IA) throw new MseError(`initial payload of ${this.ia} bytes`);
        this.state = 'ia';
        return true;
      }
      case 'ia': {
        if (this.buffer.length < this.ia) return false;
        const ia = this.decrypt!.update(Buffer.from(this.take(this.ia)));
        const selected = this.options.select(this.provided);
        if (!(selected & this.provided)) throw new MseError(`nothing acceptable in crypto_provide ${this.provided}`);
        const reply = Buffer.alloc(VC_LENGTH + 6); // VC, crypto_select, len(PadD) = 0
        reply.writeUInt32BE(selected, VC_LENGTH);
        this.send(this.encrypt!.update(reply));
        const rc4 = selected === CRYPTO_RC4;
        const rest = Buffer.from(this.take(this.buffer.length));
        this.result = {
          method: selected,
          encrypt: rc4 ? this.encrypt : undefined,
          decrypt: rc4 ? this.decrypt : undefined,
          initial: Buffer.concat([ia, rc4 ? this.decrypt!.update(rest) : rest]),
          infoHash: this.infoHash,
        };
        return false;
      }
    }
  }
}
