// The broker's record size limit and what counts against it. A produce request
// whose record batch for a partition is larger than the topic's max.message.bytes
// fails as a whole (MESSAGE_TOO_LARGE, not retriable): the writers check a record
// before it is sent, and bound the bytes of every request they make.
import type { Admin } from 'kafkajs';
import type { Logger } from '../log.js';

/** The broker's own default (Kafka 3.x/4.x message.max.bytes): used when a topic's config cannot be read. */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1048588;

/** kafkajs' ConfigResourceTypes.TOPIC. */
const TOPIC_RESOURCE = 2;

/** Record batch header of the v2 format (baseOffset .. records count): counted once per batch. */
const BATCH_HEADER_BYTES = 61;
/** A record's fixed part at its largest: length, attributes, timestamp and offset deltas, key and value lengths, header count (varints at full width). */
const RECORD_OVERHEAD_BYTES = 5 + 1 + 10 + 5 + 5 + 5 + 5;

export interface SizedMessage {
  key?: string | Buffer | null;
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer | Array<string | Buffer> | undefined>;
}

function length(v: string | Buffer | Array<string | Buffer> | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + length(x), 0);
  return typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}

/** Bytes a record takes in a v2 record batch (uncompressed), at most. */
export function recordBytes(m: SizedMessage): number {
  let n = RECORD_OVERHEAD_BYTES + length(m.key) + length(m.value);
  for (const [k, v] of Object.entries(m.headers ?? {})) n += 10 + Buffer.byteLength(k) + length(v);
  return n;
}

/** Bytes of a record batch holding only this record: what the broker compares with max.message.bytes when it is sent alone. */
export function singleRecordBatchBytes(m: SizedMessage): number {
  return BATCH_HEADER_BYTES + recordBytes(m);
}

/** Largest request (sum of recordBytes) whose batch for one partition still fits `maxMessageBytes`. */
export function requestBytesWithin(maxMessageBytes: number): number {
  return maxMessageBytes - BATCH_HEADER_BYTES;
}

/**
 * The topics' max.message.bytes as the broker applies it: the topic's own setting, or the broker's
 * message.max.bytes (DescribeConfigs reports the value in force either way).
 */
export async function maxMessageBytes(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!topics.length) return out;
  const r = await admin.describeConfigs({ resources: topics.map((name) => ({ type: TOPIC_RESOURCE, name, configNames: ['max.message.bytes'] })), includeSynonyms: false });
  for (const res of r.resources) {
    const v = Number(res.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue);
    out.set(res.resourceName, Number.isFinite(v) && v > 0 ? v : KAFKA_DEFAULT_MAX_MESSAGE_BYTES);
  }
  return out;
}

/**
 * maxMessageBytes(), or the broker's default for each topic when the configs cannot be read (a
 * principal without DescribeConfigs): a record between the two is then refused or cut needlessly,
 * which the warning says; it never makes a transaction fail.
 */
export async function maxMessageBytesOrDefault(admin: Admin, topics: readonly string[], log: Logger): Promise<Map<string, number>> {
  try {
    return await maxMessageBytes(admin, topics);
  } catch (e) {
    log.warn({ err: e, topics, assumed: KAFKA_DEFAULT_MAX_MESSAGE_BYTES }, "cannot read the topics' max.message.bytes (DescribeConfigs); assuming the broker default");
    return new Map(topics.map((t) => [t, KAFKA_DEFAULT_MAX_MESSAGE_BYTES]));
  }
}

/**
 * Messages in consecutive requests of at most `maxBytes` (recordBytes) and `maxMessages` each; a
 * message larger than maxBytes goes alone. kafkajs makes one record batch per partition and request,
 * so a bound below the topic's limit keeps every batch below it.
 */
export function* requestChunks<T extends SizedMessage>(messages: readonly T[], maxBytes: number, maxMessages: number): Generator<T[]> {
  let cur: T[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = recordBytes(m);
    if (cur.length && (bytes + size > maxBytes || cur.length >= maxMessages)) {
      yield cur;
      cur = [];
      bytes = 0;
    }
    cur.push(m);
    bytes += size;
  }
  if (cur.length) yield cur;
}
