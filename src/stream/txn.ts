import type { Message, Producer } from 'kafkajs';

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

function* chunks(messages: Message[]): Generator<Message[]> {
  let cur: Message[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = (m.value as Buffer | null)?.length ?? 0;
    if (cur.length && (bytes + size > MAX_REQUEST_BYTES || cur.length >= MAX_REQUEST_MESSAGES)) {
      yield cur;
      cur = [];
      bytes = 0;
    }
    cur.push(m);
    bytes += size + 64;
  }
  if (cur.length) yield cur;
}

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
      for (const part of chunks(s.messages)) {
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
