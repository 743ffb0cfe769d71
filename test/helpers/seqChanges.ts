// The accounting of the reader fault tests: a writer commits row changes that each
// carry the next sequence number, and afterwards every committed number must be in
// the changes topic exactly once for a read_committed consumer.
import type { Kafka } from 'kafkajs';
import type mysql from 'mysql2/promise';
import { createLogger } from '../../src/log.js';
import { readStoredPosition } from '../../src/reader/position.js';
import { readChanges, type ChangeRecord } from '../integration/reader-support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where each edition's writer puts its sequence numbers: a plain table, or a link-keyed value table of the staging schema. */
export const SEQ_TABLES = {
  opensource: {
    insert: 'INSERT INTO seqtab (id, seq) VALUES (?, ?)',
    update: 'UPDATE seqtab SET seq = ? WHERE id = ?',
    seq: (after: Record<string, unknown>) => Number(after.seq),
  },
  commerce: {
    insert: 'INSERT INTO catalog_product_entity_int (row_id, value, attribute_id, store_id) VALUES (?, ?, 1, 0)',
    update: 'UPDATE catalog_product_entity_int SET value = ? WHERE row_id = ? AND attribute_id = 1 AND store_id = 0',
    seq: (after: Record<string, unknown>) => Number(after.value),
  },
} as const;
export type SeqTable = (typeof SEQ_TABLES)[keyof typeof SEQ_TABLES];

export interface SeqWriter {
  /** Sequence numbers whose transaction has committed, in order. */
  readonly committed: number[];
  /** Stops after the transaction in flight. */
  stop(): Promise<void>;
}

/** Commits one insert or update a few ms apart, each with the next sequence number (rows 1..200, then updates of random ones). */
export function startSeqWriter(conn: mysql.Connection, table: SeqTable): SeqWriter {
  const committed: number[] = [];
  let writing = true;
  let seq = 0;
  const done = (async () => {
    while (writing) {
      const k = ++seq;
      const id = k <= 200 || Math.random() < 0.3 ? k : 1 + Math.floor(Math.random() * 200);
      await conn.query(id === k ? table.insert : table.update, id === k ? [id, k] : [k, id]);
      committed.push(k);
      await sleep(3 + Math.random() * 6);
    }
  })();
  return {
    committed,
    async stop() {
      writing = false;
      await done;
    },
  };
}

/**
 * Waits until a reader has stored its first position (the snapshot of the empty table): the topic
 * alone is not enough, it exists before the snapshot has fixed its position, and rows written in
 * between are in neither the snapshot, which reads the root table only, nor the stream.
 */
export async function waitForStoredPosition(kafka: Kafka, prefix: string): Promise<void> {
  const log = createLogger({ level: 'error' });
  for (let i = 0; i < 120; i++) {
    const admin = kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics().finally(() => admin.disconnect());
    if (topics.includes(`${prefix}.reader.offsets`) && (await readStoredPosition(kafka, `${prefix}.reader.offsets`, log, 5_000).catch(() => undefined))) return;
    await sleep(500);
  }
  throw new Error(`no reader stored a position in ${prefix}.reader.offsets within a minute`);
}

export interface SeqAccount {
  records: ChangeRecord[];
  /** Committed numbers not in the topic. */
  lost: number[];
  /** Numbers in the topic more than once. */
  doubled: number[];
  /** Numbers in the topic that no committed transaction wrote. */
  unknown: number[];
}

/** Reads the changes topic until every committed number could be there (or two minutes passed) and counts them. */
export async function accountSeq(kafka: Kafka, registryUrl: string, topic: string, committed: readonly number[], table: SeqTable, logTail: () => string): Promise<SeqAccount> {
  const records = await readChanges(kafka, registryUrl, [topic], { count: committed.length, extraMs: 5000, timeoutMs: 120_000, partial: true });
  const seqOf = (r: ChangeRecord) => table.seq(r.value.after as Record<string, unknown>);
  if (records.length < committed.length) {
    const have = new Set(records.map(seqOf));
    const missing = committed.filter((k) => !have.has(k));
    throw new Error(`${records.length} of ${committed.length} records; missing seq ${missing.slice(0, 30).join(',')}${missing.length > 30 ? ',...' : ''}\nreader log tail:\n${logTail().slice(-3000)}`);
  }
  const seen = new Map<number, number>();
  for (const r of records) seen.set(seqOf(r), (seen.get(seqOf(r)) ?? 0) + 1);
  const all = new Set(committed);
  return {
    records,
    lost: committed.filter((k) => !seen.has(k)),
    doubled: [...seen].filter(([, n]) => n > 1).map(([k]) => k),
    unknown: [...seen.keys()].filter((k) => !all.has(k)),
  };
}
