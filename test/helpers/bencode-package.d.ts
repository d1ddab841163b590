// The few calls the tests make of the `bencode` package (4.x ships no types).
declare module 'bencode' {
  type Decoded = number | Uint8Array | Decoded[] | { [key: string]: Decoded } | null;
  const bencode: {
    decode(data: Uint8Array): Decoded;
    encode(value: unknown): Uint8Array;
  };
  export default bencode;
}
