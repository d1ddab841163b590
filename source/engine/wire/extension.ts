/** The BEP 10 extension handshake: the bencoded payload of extended message id 0. */
import { decode, encode, isBytes, isDict, isInt, type BDict, type BValue } from '../codec/bencode.js';
import { ProtocolError } from './messages.js';

export interface ExtensionHandshake {
  /** Extension name -> the id the sender wants to receive it under (0: disabled). */
  m: Record<string, number>;
  v?: string;
  p?: number;
  reqq?: number;
  metadata_size?: number;
  /** The peer's address as the sender sees it (4 or 16 bytes). */
  yourip?: Buffer;
  /** The sender's IPv6 address (16 bytes), to connect back over IPv6. */
  ipv6?: Buffer;
  upload_only?: number;
}

export const EXTENDED_HANDSHAKE_ID = 0;

export function encodeExtensionHandshake(h: ExtensionHandshake): Buffer {
  const m: BDict = new Map();
  for (const [name, id] of Object.entries(h.m)) m.set(Buffer.from(name, 'utf8').toString('latin1'), id);
  const d: BDict = new Map<string, BValue>([['m', m]]);
  if (h.v !== undefined) d.set('v', Buffer.from(h.v, 'utf8'));
  if (h.p !== undefined) d.set('p', h.p);
  if (h.reqq !== undefined) d.set('reqq', h.reqq);
  if (h.metadata_size !== undefined) d.set('metadata_size', h.metadata_size);
  if (h.yourip !== undefined) d.set('yourip', h.yourip);
  if (h.ipv6 !== undefined) d.set('ipv6', h.ipv6);
  if (h.upload_only !== undefined) d.set('upload_only', h.upload_only);
  return encode(d);
}

function smallInt(v: BValue | undefined): number | undefined {
  if (!isInt(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** Lenient about everything except the payload not being a dictionary: wrong-typed keys are dropped. */
export function decodeExtensionHandshake(payload: Buffer): ExtensionHandshake {
  let value: BValue;
  try {
    value = decode(payload, { allowTrailing: true });
  } catch (error) {
    throw new ProtocolError(`bad extension handshake: ${(error as Error).message}`);
  }
  if (!isDict(value)) throw new ProtocolError('extension handshake is not a dictionary');
  const h: ExtensionHandshake = { m: {} };
  const m = value.get('m');
  if (isDict(m)) {
    for (const [key, id] of m) {
      const n = smallInt(id);
      if (n !== undefined && n <= 255) h.m[Buffer.from(key, 'latin1').toString('utf8')] = n;
    }
  }
  const v = value.get('v');
  if (isBytes(v)) h.v = Buffer.from(v).toString('utf8');
  const p = smallInt(value.get('p'));
  if (p !== undefined && p <= 0xffff) h.p = p;
  const reqq = smallInt(value.get('reqq'));
  if (reqq !== undefined) h.reqq = reqq;
  const size = smallInt(value.get('metadata_size'));
  if (size !== undefined) h.metadata_size = size;
  const yourip = value.get('yourip');
  if (isBytes(yourip) && (yourip.length === 4 || yourip.length === 16)) h.yourip = Buffer.from(yourip);
  const ipv6 = value.get('ipv6');
  if (isBytes(ipv6) && ipv6.length === 16) h.ipv6 = Buffer.from(ipv6);
  const uploadOnly = smallInt(value.get('upload_only'));
  if (uploadOnly !== undefined) h.upload_only = uploadOnly;
  return h;
}
