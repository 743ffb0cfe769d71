// The one zigzag varint codec: an Avro int/long and a Kafka record's varint/varlong are the same
// bytes. Numbers, not BigInt: longs are exact for safe integers (|v| < 2^53), which Date.now(),
// offsets and lengths are. The Kafka fetch path reads longs beyond that as kafkajs does
// (src/kafka/fetchDecoding.ts, in BigInt).

/** Bytes being read: `pos` advances; `end` is where the readable bytes stop. */
export interface ByteCursor {
  buf: Buffer;
  pos: number;
  end: number;
}

/** A varint that runs past the cursor's end. */
export class VarintCutOff extends Error {}

/** zigzag of a safe integer as a non-negative number. */
const zigzag64 = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);
/** zigzag of a 32-bit value (kafkajs' writeVarInt). */
const zigzag32 = (v: number): number => ((v << 1) ^ (v >> 31)) >>> 0;

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

/** Bytes of the zigzag varint of a 32-bit value. */
export function sizeOfVarInt(v: number): number {
  let z = zigzag32(v);
  let bytes = 1;
  while (z >= 0x80) {
    bytes++;
    z >>>= 7;
  }
  return bytes;
}

/** Writes the 32-bit v at buf[at..]; returns the position after it. */
export function writeVarInt(buf: Buffer, at: number, v: number): number {
  let z = zigzag32(v);
  while (z >= 0x80) {
    buf[at++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[at++] = z;
  return at;
}

/** A zigzag varint in 32-bit arithmetic (kafkajs' readVarInt, bit for bit). */
export function readVarInt(c: ByteCursor): number {
  let b: number;
  let result = 0;
  let i = 0;
  do {
    if (c.pos >= c.end) throw new VarintCutOff();
    b = c.buf[c.pos++]!;
    result += (b & 0x7f) << i;
    i += 7;
  } while (b >= 0x80);
  return (result >>> 1) ^ -(result & 1);
}

/** A zigzag varlong as a number, with avsc's arithmetic (exact within ±2^53). */
export function readVarLong(c: ByteCursor): number {
  const buf = c.buf;
  if (c.pos >= c.end) throw new VarintCutOff();
  let b = buf[c.pos++]!;
  let n = b & 0x7f;
  if (b < 0x80) return (n >>> 1) ^ -(n & 1);
  let m = 128;
  do {
    if (c.pos >= c.end) throw new VarintCutOff();
    b = buf[c.pos++]!;
    n += (b & 0x7f) * m;
    m *= 128;
  } while (b & 0x80);
  return (n % 2 ? -(n + 1) : n) / 2;
}
