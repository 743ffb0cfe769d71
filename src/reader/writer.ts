import type { Message, Producer, Transaction } from 'kafkajs';
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES, requestBytesWithin, requestChunks } from '../kafka/limits.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { OutMessage } from './changes.js';
import { POSITION_KEY, positionRecord, type BinlogPosition, type SnapshotProgress } from './position.js';
import type { ByteQueue } from './queue.js';
import type { RowLock } from './visibility.js';

// Takes binlog transactions from the queue and writes them with their position
// in Kafka transactions: a read_committed consumer sees a binlog transaction's
// records and the position after it together, or neither. Several binlog
// transactions share one Kafka transaction while events wait, up to
// maxTransactionEvents.

// records per produce request: kafkajs groups a request's messages per partition in
// quadratic time (groupMessagesPerPartition copies the array per message), so past a few
// thousand records larger requests cost more CPU than the round trips they save
const SEND_CHUNK = 2000;

export interface WriterOptions {
  producer: Producer;
  queue: ByteQueue;
  offsetsTopic: string;
  serverId: number;
  maxTransactionEvents: number;
  maxQueueBytes: number;
  /** Record bytes per produce request at most: its batch for a partition must fit the topic (ChangeContext.maxRequestBytes). */
  maxRequestBytes?: number | undefined;
  heartbeatMs: number;
  metrics: Metrics;
  log: Logger;
  /** The heartbeat position for the last binlog transaction seen: its time, or now when the server has nothing newer. */
  heartbeat: (seen: BinlogPosition) => Promise<BinlogPosition>;
  stopRequested: () => boolean;
  /** Where the stream starts (the stored position). */
  start: BinlogPosition;
  /** Waits until the binlog transaction that changed the row is visible to other sessions (visibility.ts). */
  visible?: (lock: RowLock) => Promise<unknown>;
}

function groupByTopic(ms: OutMessage[]): Array<{ topic: string; messages: Message[] }> {
  const by = new Map<string, Message[]>();
  for (const m of ms) {
    let list = by.get(m.topic);
    if (!list) by.set(m.topic, (list = []));
    list.push({ key: m.key, value: m.value, partition: m.partition, ...(m.headers ? { headers: m.headers } : {}) });
  }
  return [...by].map(([topic, messages]) => ({ topic, messages }));
}

/** Without the topics' limits: requests whose batches fit a broker's default max.message.bytes. */
const DEFAULT_REQUEST_BYTES = requestBytesWithin(KAFKA_DEFAULT_MAX_MESSAGE_BYTES);

/** Sends the records in requests of at most maxRequestBytes (and SEND_CHUNK records). */
async function sendAll(txn: Transaction, messages: OutMessage[], maxRequestBytes = DEFAULT_REQUEST_BYTES): Promise<void> {
  for (const part of requestChunks(messages, maxRequestBytes, SEND_CHUNK)) await txn.sendBatch({ topicMessages: groupByTopic(part), acks: -1 });
}

/** Writes records and a position record in one Kafka transaction (snapshot chunks, heartbeats). */
export async function writeTransaction(
  producer: Producer,
  offsetsTopic: string,
  serverId: number,
  messages: OutMessage[],
  position: BinlogPosition,
  snapshot: SnapshotProgress | null,
  maxRequestBytes?: number,
): Promise<void> {
  const txn = await producer.transaction();
  try {
    await sendAll(txn, messages, maxRequestBytes);
    await txn.send({ topic: offsetsTopic, acks: -1, messages: [{ key: POSITION_KEY, partition: 0, value: JSON.stringify(positionRecord(serverId, position, snapshot)) }] });
    await txn.commit();
  } catch (e) {
    await txn.abort().catch(() => undefined);
    throw e;
  }
}

export class Writer {
  private txn: Transaction | undefined;
  private pending: OutMessage[] = [];
  private pendingBytes = 0;
  private txnEvents = 0;
  private txnMessages = 0;
  private txnPos: BinlogPosition | undefined;
  /** A row of the last binlog transaction with captured rows in the open Kafka transaction. */
  private txnLock: RowLock | undefined;
  private inBinlogTxn = false;
  private partialSent = false;
  private readonly counts = new Map<string, number>();
  /** Last position committed to Kafka by this writer. */
  committed: BinlogPosition | undefined;

  private readonly o: WriterOptions;

  constructor(o: WriterOptions) {
    this.o = o;
    this.lastSeen = o.start;
    this.committed = o.start;
  }

  async run(): Promise<void> {
    const q = this.o.queue;
    let idleSince = Date.now();
    try {
      for (;;) {
        const item = q.shift();
        if (item) {
          idleSince = Date.now();
          if (item.kind === 'rows') {
            this.inBinlogTxn = true;
            for (const m of item.messages) this.pending.push(m);
            this.pendingBytes += item.bytes;
            // the binlog side may read on while these are sent: pending is bounded by the flush below
            q.release(item.bytes);
            this.txnEvents += item.events;
            if (this.pending.length >= SEND_CHUNK || this.pendingBytes > this.o.maxQueueBytes / 4) {
              await this.flush();
              this.partialSent = true;
            }
          } else {
            this.inBinlogTxn = false;
            this.partialSent = false;
            this.txnPos = item.position;
            if (item.lock) this.txnLock = item.lock;
            if (this.txnEvents >= this.o.maxTransactionEvents) await this.commit();
          }
          continue;
        }
        if (this.txnPos && !this.inBinlogTxn) {
          await this.commit();
          continue;
        }
        if (this.o.stopRequested()) break;
        if (!this.txn && !this.inBinlogTxn && Date.now() - idleSince >= this.o.heartbeatMs) {
          idleSince = Date.now();
          const seen = this.lastSeen;
          if (seen) await this.writePositionOnly(await this.o.heartbeat(seen));
          continue;
        }
        await q.wait(Math.max(10, this.o.heartbeatMs - (Date.now() - idleSince)));
      }
      // stopping: the open Kafka transaction holds only complete binlog transactions unless a partial one was sent
      if (this.partialSent) await this.abort();
      else if (this.txnPos) {
        this.pending = this.inBinlogTxn ? [] : this.pending;
        await this.commit();
      }
    } catch (e) {
      await this.abort();
      throw e;
    }
  }

  private async flush(): Promise<void> {
    if (!this.pending.length) return;
    this.txn ??= await this.o.producer.transaction();
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    await sendAll(this.txn, batch, this.o.maxRequestBytes);
    this.txnMessages += batch.length;
    for (const m of batch) {
      const k = `${m.feed} ${m.op}`;
      this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    }
  }

  private async commit(): Promise<void> {
    const pos = this.txnPos!;
    if (!this.pending.length && !this.txn) {
      // only transactions of other tables: nothing to write until the heartbeat
      this.txnPos = undefined;
      this.txnEvents = 0;
      this.lastSeen = pos;
      return;
    }
    await this.flush();
    const txn = this.txn!;
    await txn.send({ topic: this.o.offsetsTopic, acks: -1, messages: [{ key: POSITION_KEY, partition: 0, value: JSON.stringify(positionRecord(this.o.serverId, pos, null)) }] });
    // the exporters read the Commerce tables back: what they read must already show these changes
    const lock = this.txnLock;
    this.txnLock = undefined;
    if (lock) await this.o.visible?.(lock);
    await txn.commit();
    this.txn = undefined;
    this.committed = pos;
    this.lastSeen = pos;
    const m = this.o.metrics;
    m.readerTransactions.inc();
    m.readerPositionTs.set(pos.ts_ms);
    m.readerLagMs.set(Math.max(0, Date.now() - pos.ts_ms));
    for (const [k, n] of this.counts) {
      const [feed = '', op = ''] = k.split(' ');
      m.readerEvents.inc({ feed, op }, n);
    }
    this.counts.clear();
    this.txnPos = undefined;
    this.txnEvents = 0;
    this.txnMessages = 0;
  }

  /** Position of the last binlog transaction seen (committed or skipped as not captured). */
  lastSeen: BinlogPosition | undefined;

  private async writePositionOnly(p: BinlogPosition): Promise<void> {
    await writeTransaction(this.o.producer, this.o.offsetsTopic, this.o.serverId, [], p, null);
    this.committed = p;
    this.o.metrics.readerPositionTs.set(p.ts_ms);
    this.o.metrics.readerLagMs.set(Math.max(0, Date.now() - p.ts_ms));
  }

  private async abort(): Promise<void> {
    const t = this.txn;
    this.txn = undefined;
    this.txnLock = undefined;
    this.pending = [];
    if (t) await t.abort().catch(() => undefined);
  }
}
