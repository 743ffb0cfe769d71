// One transactional producer per consumed partition, its transactional id bound
// to the partition (`<prefix>.<part>.<feed>.<partition>`). kafkajs 2.2 cannot
// send the consumer group generation with its offsets (KIP-447), so fencing
// a zombie is done the classic way: when a partition moves to another process,
// the new owner's initProducerId with the same id bumps the epoch, aborts the old
// owner's open transaction and makes its later commit fail. After fencing, the
// committed offset is read again: a batch the old owner committed just before
// being fenced is skipped instead of processed twice.
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Logger } from '../log.js';
import { transactionalProducer } from '../kafka/client.js';

export interface Owned {
  partition: number;
  producer: Producer;
  /** Messages below this offset were already committed by a previous owner. */
  committed: number;
  /** Set when the partition was revoked or the producer fenced: work in flight must not commit. */
  lost: boolean;
}

export interface OwnerOptions {
  kafka: Kafka;
  admin: Admin;
  transactionalIdPrefix: string;
  groupId: string;
  topic: string;
  log: Logger;
  /** Runs after fencing, before the partition is handed out (the exporter restores its state here). */
  onAcquire?: (partition: number, heartbeat?: () => Promise<void>) => Promise<void>;
  /** `revoked`: the group gave the partition to another member (not a retry or a stop). */
  onRelease?: (partition: number, revoked: boolean) => void | Promise<void>;
}

export class PartitionOwners {
  private readonly o: OwnerOptions;
  private readonly owned = new Map<number, Promise<Owned>>();

  constructor(o: OwnerOptions) {
    this.o = o;
  }

  /** The partition's producer, acquired on first use; `heartbeat` keeps the group session alive meanwhile. */
  get(partition: number, heartbeat?: () => Promise<void>): Promise<Owned> {
    let p = this.owned.get(partition);
    if (!p) {
      p = this.acquire(partition, heartbeat);
      this.owned.set(partition, p);
      p.catch(() => this.owned.delete(partition));
    }
    return p;
  }

  private async acquire(partition: number, heartbeat?: () => Promise<void>): Promise<Owned> {
    const producer = transactionalProducer(this.o.kafka, `${this.o.transactionalIdPrefix}.${partition}`);
    await producer.connect();
    // initProducerId happens on the first transaction: this is the fencing step
    const tx = await producer.transaction();
    await tx.abort();
    const offsets = await this.o.admin.fetchOffsets({ groupId: this.o.groupId, topics: [this.o.topic] });
    const entry = offsets[0]?.partitions.find((x) => x.partition === partition);
    const committed = entry && Number(entry.offset) >= 0 ? Number(entry.offset) : 0;
    await this.o.onAcquire?.(partition, heartbeat);
    this.o.log.info({ partition, committed }, 'partition acquired');
    return { partition, producer, committed, lost: false };
  }

  /** Keeps the listed partitions, releases the others (their producers are closed). */
  async retain(partitions: number[], revoked = true): Promise<void> {
    const keep = new Set(partitions);
    for (const [p, owned] of [...this.owned]) {
      if (keep.has(p)) continue;
      this.owned.delete(p);
      await this.close(p, owned, revoked);
    }
  }

  /** After a fenced or failed transaction: the next batch of the partition acquires it again. */
  async drop(partition: number): Promise<void> {
    const owned = this.owned.get(partition);
    if (!owned) return;
    this.owned.delete(partition);
    await this.close(partition, owned, false);
  }

  private async close(partition: number, owned: Promise<Owned>, revoked: boolean): Promise<void> {
    try {
      const o = await owned;
      o.lost = true;
      await o.producer.disconnect();
    } catch {
      // acquisition failed or the producer is already gone
    }
    await this.o.onRelease?.(partition, revoked);
    this.o.log.info({ partition }, 'partition released');
  }

  async closeAll(): Promise<void> {
    await this.retain([], false);
  }
}
