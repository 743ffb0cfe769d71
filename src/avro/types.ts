import type { ColumnInfo } from './columns.js';

// MySQL column → Avro, as Debezium users expect: DECIMAL keeps its precision as
// the decimal logical type, BIGINT UNSIGNED never wraps negative, temporal types
// are logical longs/ints, JSON/ENUM/SET are strings, binary data is bytes.
// Values come from zongji (dateStrings: true) or mysql2 (dateStrings,
// bigNumberStrings): decimals, big integers and dates arrive as strings.

export type AvroType = string | Record<string, unknown> | Array<string | Record<string, unknown>>;

export interface ColumnCodec {
  name: string;
  /** Avro type of the field, without the null union. */
  type: AvroType;
  /** Nullable in Avro: nullable column, or a temporal column whose zero date becomes null. */
  nullable: boolean;
  /** Column value (binlog or query) → Avro value; null for SQL NULL and zero dates. */
  convert: (v: unknown) => unknown;
}

// avsc encodes longs from JS numbers exactly within ±2^52 (its zigzag step doubles them); beyond, values are clamped
const MAX_SAFE = 4503599627370496;

/** Two's-complement big-endian bytes of an integer: the Avro decimal encoding of its unscaled value. */
export function bigintToBytes(n: bigint): Buffer {
  const neg = n < 0n;
  let hex = (neg ? -n : n).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let buf = Buffer.from(hex, 'hex');
  if (!neg) {
    if (buf.length === 0 || (buf[0]! & 0x80) !== 0) buf = Buffer.concat([Buffer.from([0]), buf]);
    return buf;
  }
  // negate: invert and add one, then make sure the sign bit is set
  const out = Buffer.alloc(buf.length + 1);
  buf.copy(out, 1);
  let carry = 1;
  for (let i = out.length - 1; i >= 0; i--) {
    const v = (~out[i]! & 0xff) + carry;
    out[i] = v & 0xff;
    carry = v >> 8;
  }
  let start = 0;
  while (start < out.length - 1 && out[start] === 0xff && (out[start + 1]! & 0x80) !== 0) start++;
  return out.subarray(start);
}

export function bytesToBigint(buf: Buffer): bigint {
  if (buf.length === 0) return 0n;
  let n = BigInt('0x' + buf.toString('hex'));
  if ((buf[0]! & 0x80) !== 0) n -= 1n << BigInt(buf.length * 8);
  return n;
}

/** "-123.45" with scale 4 → unscaled -1234500n. */
export function decimalToUnscaled(v: string, scale: number): bigint {
  const s = v.trim();
  const neg = s.startsWith('-');
  const body = neg || s.startsWith('+') ? s.slice(1) : s;
  const [int = '0', frac = ''] = body.split('.');
  const digits = (int || '0') + frac.padEnd(scale, '0').slice(0, scale);
  const n = BigInt(digits);
  return neg ? -n : n;
}

/** Unscaled bytes back to the decimal string, for readers and tests. */
export function decimalFromBytes(buf: Buffer, scale: number): string {
  const n = bytesToBigint(buf);
  const neg = n < 0n;
  const s = (neg ? -n : n).toString().padStart(scale + 1, '0');
  const out = scale ? `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}` : s;
  return neg ? '-' + out : out;
}

const isZeroDate = (s: string) => /^0000-00-00/.test(s) || /^\d{4}-00-|^\d{4}-\d\d-00/.test(s);

/** "2026-01-02 03:04:05.123456" (UTC wall clock) → microseconds since the epoch. */
export function datetimeToMicros(s: string): number | null {
  if (isZeroDate(s)) return null;
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?)?/.exec(s);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  const micros = ms * 1000 + Number((m[7] ?? '').padEnd(6, '0'));
  // past year 2255 micros exceed 2^53 and are clamped (avsc longs are JS numbers)
  return Math.max(-MAX_SAFE, Math.min(MAX_SAFE, micros));
}

export function dateToDays(s: string): number | null {
  if (isZeroDate(s)) return null;
  const m = /^(\d{4})-(\d\d)-(\d\d)/.exec(s);
  if (!m) return null;
  return Math.round(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000);
}

/** "-12:34:56.789" → microseconds (TIME may be negative and past 24 h). */
export function timeToMicros(s: string): number | null {
  const m = /^(-)?(\d+):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/.exec(s.trim());
  if (!m) return null;
  const v = ((Number(m[2]) * 60 + Number(m[3])) * 60 + Number(m[4])) * 1_000_000 + Number((m[5] ?? '').padEnd(6, '0'));
  return m[1] ? -v : v;
}

const asString = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'object' ? JSON.stringify(v) : String(v));
const asBytes = (v: unknown): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(typeof v === 'string' ? v : String(v), typeof v === 'string' ? 'binary' : 'utf8'));
const asInt = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : Number(v));
function asLong(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v);
  return Math.max(-MAX_SAFE, Math.min(MAX_SAFE, n));
}

function decimalCodec(c: ColumnInfo, precision: number, scale: number): Pick<ColumnCodec, 'type' | 'convert'> {
  return {
    type: { type: 'bytes', logicalType: 'decimal', precision, scale },
    convert: (v) => bigintToBytes(decimalToUnscaled(typeof v === 'number' ? v.toFixed(scale) : String(v), scale)),
  };
}

function baseCodec(c: ColumnInfo): Pick<ColumnCodec, 'type' | 'convert'> & { zeroable?: boolean } {
  switch (c.dataType) {
    case 'tinyint':
    case 'smallint':
    case 'mediumint':
    case 'year':
      return { type: 'int', convert: asInt };
    case 'int':
    case 'integer':
      return c.unsigned ? { type: 'long', convert: asLong } : { type: 'int', convert: asInt };
    case 'bigint':
      // 2^64-1 does not fit a long: the exact value as decimal(20,0), as Debezium's precise mode
      return c.unsigned ? decimalCodec(c, 20, 0) : { type: 'long', convert: asLong };
    case 'decimal':
    case 'numeric':
      return decimalCodec(c, c.precision ?? 10, c.scale ?? 0);
    case 'float':
      return { type: 'float', convert: (v) => Number(v) };
    case 'double':
    case 'real':
      return { type: 'double', convert: (v) => Number(v) };
    case 'bit':
      return { type: 'bytes', convert: asBytes };
    case 'datetime':
    case 'timestamp':
      return { type: { type: 'long', logicalType: 'timestamp-micros' }, convert: (v) => datetimeToMicros(asString(v)), zeroable: true };
    case 'date':
      return { type: { type: 'int', logicalType: 'date' }, convert: (v) => dateToDays(asString(v)), zeroable: true };
    case 'time':
      return { type: { type: 'long', logicalType: 'time-micros' }, convert: (v) => timeToMicros(asString(v)) };
    case 'binary':
    case 'varbinary':
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
    case 'geometry':
    case 'point':
    case 'linestring':
    case 'polygon':
      return { type: 'bytes', convert: asBytes };
    default:
      // char, varchar, *text, json, enum, set, uuid, inet*: strings
      return { type: 'string', convert: asString };
  }
}

export function columnCodec(c: ColumnInfo): ColumnCodec {
  const base = baseCodec(c);
  const nullable = c.nullable || base.zeroable === true;
  const convert = base.convert;
  return {
    name: c.name,
    type: base.type,
    nullable,
    convert: (v) => (v === null || v === undefined ? null : convert(v)),
  };
}

/** Avro names allow [A-Za-z0-9_] only; MySQL column and table names allow more. */
export function avroName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(s) ? s : '_' + s;
}
