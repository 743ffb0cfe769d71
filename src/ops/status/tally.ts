import { DeliveryStatus, type ItemEnvelope, type StatusRecord } from '../../avro/records.js';

// The figures of one feed, kept up to date from its items and status topics (latest
// record per key, as compaction will leave them). A status counts for an item only
// when it carries the item's current hash: a rewritten item is pending until the
// publisher reports on that version.

/** An item version as the status command keeps it: the envelope without the item. */
export type ItemRecord = Omit<ItemEnvelope, 'item'>;
export type { StatusRecord };

export interface FailedItem {
  feedId: string;
  sourceEntityId: string;
  status: number;
  attempts: number;
  error: string | null;
  at: string;
}

export interface FeedFigures {
  feed: string;
  /** Live items (latest version not deleted). */
  items: number;
  /** Items whose latest version is a deletion. */
  deleted: number;
  sent: number;
  failed: number;
  pending: number;
  /** Latest item write or delivery status, ISO time. */
  lastChangeAt: string | null;
  /** Change events the exporter group has not consumed yet (null: no group yet). */
  changesLag: number | null;
  failedItems: FailedItem[];
}

const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : null);

/** The figures of one feed for `status` and the dashboard (the exporter's copy of the feed table is FeedState). */
export class FeedTally {
  readonly feed: string;
  private readonly items = new Map<string, ItemRecord>();
  private readonly statuses = new Map<string, StatusRecord>();
  private lastMs = 0;

  constructor(feed: string) {
    this.feed = feed;
  }

  applyItem(key: string, rec: ItemRecord | null): void {
    if (rec === null) this.items.delete(key);
    else {
      this.items.set(key, rec);
      this.lastMs = Math.max(this.lastMs, rec.writtenAt);
    }
  }

  applyStatus(key: string, rec: StatusRecord | null): void {
    if (rec === null) this.statuses.delete(key);
    else {
      this.statuses.set(key, rec);
      this.lastMs = Math.max(this.lastMs, rec.ts_ms);
    }
  }

  /** Latest item version of every key, for resync --no-reindex and --continue-resync. */
  latestItems(): IterableIterator<[string, ItemRecord]> {
    return this.items.entries();
  }

  figures(maxFailed = 20): FeedFigures {
    let items = 0;
    let deleted = 0;
    let sent = 0;
    let failed = 0;
    let pending = 0;
    const failedItems: FailedItem[] = [];
    for (const [key, item] of this.items) {
      if (item.deleted) deleted++;
      else items++;
      const st = this.statuses.get(key);
      const code = st && st.hash === item.hash ? st.status : undefined;
      if (code === DeliveryStatus.sent) sent++;
      else if (code === DeliveryStatus.rejected || code === DeliveryStatus.invalid) {
        failed++;
        if (failedItems.length < maxFailed) {
          failedItems.push({ feedId: key, sourceEntityId: item.sourceEntityId, status: code, attempts: st!.attempts, error: st!.error, at: iso(st!.ts_ms) ?? '' });
        }
      } else pending++;
    }
    return { feed: this.feed, items, deleted, sent, failed, pending, lastChangeAt: iso(this.lastMs), changesLag: null, failedItems };
  }
}
