// Avro binary → JSON text, without building the JavaScript value in between.
// The exporter hashes an item's JSON and the publisher sends it downstream;
// decoding each item into objects only to JSON.stringify them again cost more
// than assembling them, and filled the young generation. A transcoder compiled
// from an avsc type reads the bytes once and writes exactly the text that
// JSON.stringify(type.fromBuffer(bytes)) gives: fields in schema order, strings
// escaped as JSON.stringify escapes them, numbers as String(n), NaN and the
// infinities as null, bytes and fixed as a Buffer's JSON. Maps (whose key order
// JavaScript objects rewrite) and logical types are not compiled: compileJson()
// then falls back to decode + JSON.stringify, so the result is the same for
// every schema, only slower.
import { isUtf8 } from 'node:buffer';
import type avro from 'avsc';
import { readVarLong, VarintCutOff, type ByteCursor } from './varint.js';

/** One compiled top-level record: its JSON, where the bytes ended, and the JSON of the captured fields. */
export interface Transcoded {
  /** A view into a shared buffer, valid until the next transcode in this thread: copy it to keep it. */
  json: Buffer;
  /** Offset just past the record in the input. */
  end: number;
  /** JSON of each captured top-level field ('null' when the schema has no such field). */
  fields: Record<string, string>;
}

export type Transcoder = (buf: Buffer, pos?: number) => Transcoded;

export interface TranscodeOptions {
  /** Top-level fields left out of the JSON (they are still read, and may be captured). */
  omit?: readonly string[];
  /** Top-level fields whose own JSON is returned besides the record's. */
  capture?: readonly string[];
}

/** Thrown at compile time for a type this transcoder does not write; compileJson() falls back. */
class Unsupported extends Error {}

/** Input position; one per call. */
type Cursor = ByteCursor;

type Write = (c: Cursor) => void;

// The output buffer, shared by every transcoder of this thread (the calls are synchronous).
let out = Buffer.allocUnsafe(256 * 1024);
let len = 0;

function ensure(n: number): void {
  if (len + n <= out.length) return;
  const next = Buffer.allocUnsafe(Math.max(out.length * 2, len + n));
  out.copy(next, 0, 0, len);
  out = next;
}

function putByte(b: number): void {
  ensure(1);
  out[len++] = b;
}

// Short copies byte by byte: Buffer#copy costs more to call than to copy a field name.
function putBytes(b: Buffer): void {
  const n = b.length;
  ensure(n);
  if (n > 64) {
    b.copy(out, len);
    len += n;
    return;
  }
  for (let i = 0; i < n; i++) out[len + i] = b[i]!;
  len += n;
}

/** An integer's decimal digits, as String(n) writes them (only called for safe integers). */
function putInteger(v: number): void {
  ensure(17);
  if (v < 0) {
    out[len++] = 0x2d;
    v = -v;
  }
  if (v < 10) {
    out[len++] = 0x30 + v;
    return;
  }
  let digits = 0;
  for (let x = v; x >= 1; x = Math.floor(x / 10)) digits++;
  for (let i = digits - 1; i >= 0; i--) {
    out[len + i] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  }
  len += digits;
}

/** ASCII text (numbers, literals). */
function putAscii(s: string): void {
  ensure(s.length);
  len += out.write(s, len, 'latin1');
}

function putUtf8(s: string): void {
  ensure(Buffer.byteLength(s));
  len += out.write(s, len, 'utf8');
}

function truncated(): never {
  throw new Error('invalid Avro data: truncated buffer');
}

const readLong = readVarLong;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function writeString(c: Cursor): void {
  const n = readLong(c);
  const start = c.pos;
  const end = start + n;
  if (n < 0 || end > c.buf.length) truncated();
  c.pos = end;
  const buf = c.buf;
  // copy while checking: no character to escape, and either ASCII or valid UTF-8
  ensure(n + 2);
  const mark = len;
  let o = len;
  out[o++] = QUOTE;
  let high = 0;
  let i = start;
  for (; i < end; i++) {
    const b = buf[i]!;
    if (b < 0x20 || b === QUOTE || b === BACKSLASH) break;
    high |= b;
    out[o++] = b;
  }
  if (i === end && (high < 0x80 || isUtf8(buf.subarray(start, end)))) {
    out[o++] = QUOTE;
    len = o;
    return;
  }
  // escapes, or bytes that are not UTF-8 (decoding replaces them): as JSON.stringify writes the decoded string
  len = mark;
  putUtf8(JSON.stringify(buf.toString('utf8', start, end)));
}

function writeNumber(v: number): void {
  if (Number.isSafeInteger(v) && !Object.is(v, -0)) putInteger(v);
  else putAscii(Number.isFinite(v) ? String(v) : 'null');
}

/** A Buffer's JSON, as bytes and fixed decode to Buffers. */
function writeBufferJson(buf: Buffer, start: number, end: number): void {
  putAscii('{"type":"Buffer","data":[');
  for (let i = start; i < end; i++) {
    if (i > start) putByte(0x2c);
    putAscii(String(buf[i]));
  }
  putAscii(']}');
}

const literal = (s: string): Buffer => Buffer.from(s, 'utf8');
const NULL = literal('null');
const TRUE = literal('true');
const FALSE = literal('false');

type AnyType = avro.Type & {
  typeName: string;
  fields?: Array<{ name: string; type: avro.Type }>;
  itemsType?: avro.Type;
  types?: avro.Type[];
  symbols?: string[];
  size?: number;
  branchName?: string;
};

function compileType(type: avro.Type, memo: Map<avro.Type, Write>): Write {
  const known = memo.get(type);
  if (known) return known;
  const t = type as AnyType;
  switch (t.typeName) {
    case 'null':
      return () => putBytes(NULL);
    case 'boolean':
      return (c) => {
        const b = c.buf[c.pos++];
        if (b === undefined) truncated();
        putBytes(b ? TRUE : FALSE);
      };
    case 'int':
    case 'long':
      return (c) => {
        const v = readLong(c);
        if (Number.isSafeInteger(v)) putInteger(v);
        else putAscii(String(v));
      };
    case 'float':
      return (c) => {
        if (c.pos + 4 > c.buf.length) truncated();
        writeNumber(c.buf.readFloatLE(c.pos));
        c.pos += 4;
      };
    case 'double':
      return (c) => {
        if (c.pos + 8 > c.buf.length) truncated();
        writeNumber(c.buf.readDoubleLE(c.pos));
        c.pos += 8;
      };
    case 'string':
      return writeString;
    case 'bytes':
      return (c) => {
        const n = readLong(c);
        if (n < 0 || c.pos + n > c.buf.length) truncated();
        writeBufferJson(c.buf, c.pos, c.pos + n);
        c.pos += n;
      };
    case 'fixed': {
      const size = t.size!;
      return (c) => {
        if (c.pos + size > c.buf.length) truncated();
        writeBufferJson(c.buf, c.pos, c.pos + size);
        c.pos += size;
      };
    }
    case 'enum': {
      const symbols = t.symbols!.map((s) => literal(JSON.stringify(s)));
      return (c) => {
        const s = symbols[readLong(c)];
        if (!s) throw new Error('invalid Avro data: enum index out of range');
        putBytes(s);
      };
    }
    case 'array': {
      const w: Write = (c) => {
        putByte(0x5b);
        let first = true;
        for (;;) {
          let n = readLong(c);
          if (n === 0) break;
          if (n < 0) {
            n = -n;
            readLong(c); // the block's size in bytes
          }
          for (let i = 0; i < n; i++) {
            if (!first) putByte(0x2c);
            first = false;
            item(c);
          }
        }
        putByte(0x5d);
      };
      memo.set(type, w);
      const item = compileType(t.itemsType!, memo);
      return w;
    }
    case 'union:unwrapped':
    case 'union:wrapped': {
      const wrapped = t.typeName === 'union:wrapped';
      const branches: Write[] = [];
      const w: Write = (c) => {
        const branch = branches[readLong(c)];
        if (!branch) throw new Error('invalid Avro data: union index out of range');
        branch(c);
      };
      memo.set(type, w);
      for (const b of t.types!) {
        const inner = compileType(b, memo);
        const name = (b as AnyType).branchName ?? (b as AnyType).typeName;
        if (!wrapped || (b as AnyType).typeName === 'null') branches.push(inner);
        else {
          const open = literal(`{${JSON.stringify(name)}:`);
          branches.push((c) => {
            putBytes(open);
            inner(c);
            putByte(0x7d);
          });
        }
      }
      return w;
    }
    case 'record':
    case 'error': {
      const fields: Array<{ prefix: Buffer; write: Write }> = [];
      const w: Write = (c) => {
        putByte(0x7b);
        for (const f of fields) {
          putBytes(f.prefix);
          f.write(c);
        }
        putByte(0x7d);
      };
      memo.set(type, w);
      t.fields!.forEach((f, i) => fields.push({ prefix: literal(`${i === 0 ? '' : ','}${JSON.stringify(f.name)}:`), write: compileType(f.type, memo) }));
      return w;
    }
    default:
      // map: JavaScript objects put integer-like keys first; logical types: decoded by their own code
      throw new Unsupported(`no JSON transcoder for Avro type ${t.typeName}`);
  }
}

/** The slow path with the same result: decode, then JSON.stringify (for the types compileType() leaves out). */
function viaDecode(type: avro.Type, o: TranscodeOptions): Transcoder {
  const omit = new Set(o.omit ?? []);
  const capture = o.capture ?? [];
  return (buf, pos = 0) => {
    const { value, offset } = type.decode(buf, pos) as { value: Record<string, unknown>; offset: number };
    if (offset < 0) truncated();
    const fields: Record<string, string> = {};
    for (const f of capture) fields[f] = JSON.stringify(value[f] ?? null);
    const kept: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!omit.has(k)) kept[k] = v;
    return { json: Buffer.from(JSON.stringify(kept), 'utf8'), end: offset, fields };
  };
}

/**
 * A transcoder for a record type: its JSON text (less the omitted top-level fields) and the captured
 * fields' JSON, from its Avro bytes at buf[pos..].
 */
export function compileJson(type: avro.Type, o: TranscodeOptions = {}): Transcoder {
  const t = type as AnyType;
  if (t.typeName !== 'record' && t.typeName !== 'error') throw new Error(`compileJson needs a record type, not ${t.typeName}`);
  const omit = new Set(o.omit ?? []);
  const capture = o.capture ?? [];
  let fields: Array<{ name: string; key: Buffer; write: Write; omit: boolean; capture: boolean }>;
  try {
    const memo = new Map<avro.Type, Write>();
    fields = t.fields!.map((f) => ({
      name: f.name,
      key: literal(`${JSON.stringify(f.name)}:`),
      write: compileType(f.type, memo),
      omit: omit.has(f.name),
      capture: capture.includes(f.name),
    }));
  } catch (e) {
    if (e instanceof Unsupported) return viaDecode(type, o);
    throw e;
  }
  return (buf, pos = 0) => {
    const c: Cursor = { buf, pos, end: buf.length };
    const captured: Record<string, string> = {};
    for (const f of capture) captured[f] = 'null';
    len = 0;
    putByte(0x7b);
    let first = true;
    for (const f of fields) {
      const mark = len;
      if (!f.omit) {
        if (!first) putByte(0x2c);
        putBytes(f.key);
      }
      const from = len;
      try {
        f.write(c);
      } catch (e) {
        if (e instanceof VarintCutOff) truncated();
        throw e;
      }
      if (f.capture) captured[f.name] = out.toString('utf8', from, len);
      if (f.omit) len = mark;
      else first = false;
    }
    putByte(0x7d);
    if (c.pos > buf.length) truncated();
    return { json: out.subarray(0, len), end: c.pos, fields: captured };
  };
}
