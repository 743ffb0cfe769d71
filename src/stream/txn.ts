import type { Message, Producer } from 'kafkajs';
import { requestChunks } from '../kafka/limits.js';

export interface TopicMessages {
  topic: string;
  messages: Message[];
}

/** Below the broker's default message.max.bytes (1 MiB) per record batch. */
const MAX_REQUEST_BYTES = 768 * 1024;
/**
 * kafkajs groups a send's messages per partition by copying the partition's array for every message
 * (quadratic): a send of 3,000 small items spent more time there than encoding them.
 */
const MAX_REQUEST_MESSAGES = 1000;

/**
 * Writes the messages and the consumer offset in one Kafka transaction: a
 * read_committed reader sees both or neither, whatever happens to this process.
 * Returns per `topic:partition` written the offset after its last message.
 */
export async function commitWithOffsets(
  producer: Producer,
  sends: TopicMessages[],
  offsets: { groupId: string; topic: string; partition: number; offset: number } | undefined,
): Promise<Map<string, number>> {
  const tx = await producer.transaction();
  const ends = new Map<string, number>();
  try {
    for (const s of sends) {
      for (const part of requestChunks(s.messages, MAX_REQUEST_BYTES, MAX_REQUEST_MESSAGES)) {
        const written = await tx.send({ topic: s.topic, messages: part, acks: -1 });
        for (const r of written) {
          const count = part.filter((m) => m.partition === r.partition).length;
          if (r.baseOffset !== undefined && Number(r.baseOffset) >= 0) ends.set(`${r.topicName}:${r.partition}`, Number(r.baseOffset) + count);
        }
      }
    }
    if (offsets) {
      await tx.sendOffsets({
        consumerGroupId: offsets.groupId,
        topics: [{ topic: offsets.topic, partitions: [{ partition: offsets.partition, offset: String(offsets.offset) }] }],
      });
    }
    await tx.commit();
    return ends;
  } catch (e) {
    try {
      await tx.abort();
    } catch {
      // fenced or disconnected: the broker aborts it (transaction timeout or the new owner's init)
    }
    throw e;
  }
}
