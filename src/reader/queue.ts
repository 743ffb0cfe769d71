import type { OutMessage } from './changes.js';
import type { BinlogPosition } from './position.js';
import type { RowLock } from './visibility.js';

// The byte-bounded queue between the binlog stream and the Kafka writer. The
// binlog side pauses its connection while `bytes` is above the bound; the
// writer releases bytes once records have left for Kafka.

export type QueueItem =
  | { kind: 'rows'; messages: OutMessage[]; bytes: number; events: number }
  /** End of a binlog transaction: everything before it may be committed with this position. */
  | { kind: 'commit'; position: BinlogPosition; bytes: 0; /** The transaction's last captured row, locked until it is visible. */ lock?: RowLock | undefined };

export class ByteQueue {
  private items: Array<QueueItem | undefined> = [];
  private head = 0;
  private waiter: (() => void) | undefined;
  /** Bytes queued or taken but not yet sent to Kafka. */
  bytes = 0;
  onRelease: (() => void) | undefined;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: QueueItem): void {
    this.items.push(item);
    this.bytes += item.bytes;
    this.wake();
  }

  shift(): QueueItem | undefined {
    if (this.head >= this.items.length) return undefined;
    const it = this.items[this.head];
    // drop the reference: a taken item must not outlive its send
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return it;
  }

  release(bytes: number): void {
    this.bytes -= bytes;
    this.onRelease?.();
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }

  wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** Resolves when an item arrives, wake() is called, or after ms. */
  wait(ms: number): Promise<void> {
    if (this.length) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiter = undefined;
        resolve();
      }, ms);
      this.waiter = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}
