// Zigzag varlongs: an Avro long, and Kafka's varlong (record timestamp deltas), are the same bytes.
// Numbers, not BigInt: exact for safe integers up to 2^52 in magnitude (Date.now() and offsets).

/** zigzag of a safe integer as a non-negative number. */
const zigzag64 = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);

export function sizeOfVarLong(v: number): number {
  let z = zigzag64(v);
  let bytes = 1;
  while (z >= 0x80) {
    bytes++;
    z = Math.floor(z / 128);
  }
  return bytes;
}

/** Writes v at buf[at..]; returns the position after it. */
export function writeVarLong(buf: Buffer, at: number, v: number): number {
  let z = zigzag64(v);
  while (z >= 0x80) {
    buf[at++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[at++] = z;
  return at;
}
