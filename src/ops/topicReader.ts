import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

// Reads whole topics once, read_committed, up to the end offsets taken at the
// start (control records included in the progress, so a transaction marker at
// the end does not leave it waiting). For the operations that need every key:
// resync --no-reindex, --cleanup-feed, --continue-resync.

export async function readTopicsToEnd(
  kafka: Kafka,
  topics: string[],
  onMessage: (topic: string, partition: number, m: KafkaMessage) => Promise<void> | void,
  o: { groupPrefix: string; timeoutMs?: number },
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const targets = new Map<string, number>();
  try {
    for (const t of topics.filter((x) => existing.has(x))) {
      for (const p of await admin.fetchTopicOffsets(t)) if (Number(p.high) > Number(p.low)) targets.set(`${t}:${p.partition}`, Number(p.high) - 1);
    }
  } finally {
    await admin.disconnect();
  }
  if (!targets.size) return;
  const progress = new Map<string, number>();
  const consumer = kafka.consumer({ groupId: `${o.groupPrefix}.${randomBytes(4).toString('hex')}`, readUncommitted: false, allowAutoTopicCreation: false, maxWaitTimeInMs: 250 });
  let failure: unknown;
  const advance = (t: string, p: number, off: number) => {
    const k = `${t}:${p}`;
    if ((progress.get(k) ?? -1) < off) progress.set(k, off);
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.lastOffset !== null) advance(payload.topic, payload.partition, Number(payload.lastOffset));
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...new Set([...targets.keys()].map((k) => k.slice(0, k.lastIndexOf(':'))))], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const k = `${batch.topic}:${batch.partition}`;
          if (Number(m.offset) > (targets.get(k) ?? -1)) break;
          try {
            await onMessage(batch.topic, batch.partition, m);
          } catch (e) {
            failure ??= e;
          }
          advance(batch.topic, batch.partition, Number(m.offset));
        }
      },
    });
    const deadline = Date.now() + (o.timeoutMs ?? 120_000);
    for (;;) {
      if (failure) throw failure;
      if ([...targets].every(([k, last]) => (progress.get(k) ?? -1) >= last)) break;
      if (Date.now() > deadline) throw new Error(`timed out reading ${topics.join(', ')} to the end`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}
