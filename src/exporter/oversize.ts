// Items larger than the items topic takes (a 16 MB product description, say): the
// broker refuses the whole transaction with MESSAGE_TOO_LARGE, which no retry
// mends. Such an item is not written; a status 1 record with the sizes and the
// setting to raise goes to the status topic in its place, in the same transaction,
// so the partition moves on and the status page lists the item as failed.
import type { Message } from 'kafkajs';
import { DeliveryStatus, type StatusRecord } from '../avro/records.js';
import { singleRecordBatchBytes } from '../kafka/limits.js';
import type { WriteItem } from './batch.js';

export interface EncodedItem {
  item: WriteItem;
  message: Message & { value: Buffer; partition: number };
}

export interface TooLarge extends EncodedItem {
  /** The record batch the item alone would make, bytes. */
  bytes: number;
}

/** Splits the encoded items into those the topic takes and those larger than `limit` (max.message.bytes). */
export function splitBySize(items: readonly EncodedItem[], limit: number): { fit: EncodedItem[]; tooLarge: TooLarge[] } {
  const fit: EncodedItem[] = [];
  const tooLarge: TooLarge[] = [];
  for (const e of items) {
    const bytes = singleRecordBatchBytes(e.message);
    if (bytes > limit) tooLarge.push({ ...e, bytes });
    else fit.push(e);
  }
  return { fit, tooLarge };
}

/** The readable reason stored with the status 1 of an item too large for the items topic. */
export function tooLargeError(bytes: number, limit: number, topic: string): string {
  return (
    `ITEM_TOO_LARGE: invalid item: encoded size ${bytes} bytes exceeds the items topic's max.message.bytes ${limit} (${topic}); ` +
    `raise max.message.bytes of ${topic} (and the broker's message.max.bytes and replica.fetch.max.bytes) above it, or shorten the item's values, then change or resync the item`
  );
}

/** The status 1 written in place of an item too large for the items topic; the item is not sent. */
export function tooLargeStatus(e: TooLarge, limit: number, topic: string, now: number): StatusRecord {
  return {
    feedId: e.item.feedId,
    sourceEntityId: e.item.sourceEntityId,
    hash: e.item.hash,
    status: DeliveryStatus.invalid,
    attempts: 0,
    error: tooLargeError(e.bytes, limit, topic),
    ts_ms: now,
    requestId: null,
  };
}
