import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Pool } from '../mysql/pool.js';
import type { ColumnInfo } from '../avro/columns.js';

// MariaDB and MySQL write a transaction to the binlog, and let binlog clients
// read it, before the storage engine commits it: for a moment a binlog client
// holds a change that other sessions cannot see yet. The exporters read the
// Commerce tables back once a change reaches them, so a change committed to
// Kafka inside that moment would be assembled from the old rows, deduplicated
// as unchanged and lost. (Measured with this project's stack: a client that
// reads a row back on every update event saw the old value 11–45 times in 3,000
// updates on a busy 2-core machine.)
//
// InnoDB holds a transaction's row locks until it is visible. Before the reader
// commits a Kafka transaction it takes a shared lock, without waiting, on one
// row the last binlog transaction in it changed: once that succeeds, that binlog
// transaction and, as engines commit in binlog order, every earlier one are
// visible. A lock held by a later transaction on the same row only delays it.

/** One row a binlog transaction changed, by its primary key. */
export interface RowLock {
  /** The table's name in the database (table prefix included). */
  table: string;
  key: Array<[column: string, value: unknown]>;
}

/** The lock to take for a changed row; undefined when the table has no primary key. */
export function rowLock(table: string, columns: ColumnInfo[], row: Record<string, unknown>): RowLock | undefined {
  const pk = columns.filter((c) => c.pkPosition > 0).sort((a, b) => a.pkPosition - b.pkPosition);
  if (!pk.length) return undefined;
  return { table, key: pk.map((c) => [c.name, row[c.name]]) };
}

export type VisibilityResult = 'visible' | 'waited' | 'timeout' | 'unchecked';

export interface VisibilityOptions {
  pool: Pool;
  database: string;
  /** MariaDB spells the lock `LOCK IN SHARE MODE NOWAIT`, MySQL `FOR SHARE NOWAIT`. */
  mariadb: boolean;
  log: Logger;
  metrics?: Metrics;
  /** Give up waiting after this long and commit anyway (default 10 s). */
  timeoutMs?: number;
}

const LOCKED = new Set([1205 /* ER_LOCK_WAIT_TIMEOUT: MariaDB's NOWAIT */, 3572 /* ER_LOCK_NOWAIT: MySQL's */]);
const quote = (name: string) => `\`${name.replace(/`/g, '``')}\``;

export class VisibilityBarrier {
  private readonly o: VisibilityOptions;
  private warnedUnchecked = 0;

  constructor(o: VisibilityOptions) {
    this.o = o;
  }

  /** Resolves once the transaction that changed the row is visible to other sessions (or after the timeout). */
  async wait(lock: RowLock): Promise<VisibilityResult> {
    const { pool, database, mariadb, log } = this.o;
    const sql = `SELECT 1 FROM ${quote(database)}.${quote(lock.table)} WHERE ${lock.key.map(([c]) => `${quote(c)} = ?`).join(' AND ')} ${mariadb ? 'LOCK IN SHARE MODE' : 'FOR SHARE'} NOWAIT`;
    const values = lock.key.map(([, v]) => v);
    const started = Date.now();
    const deadline = started + (this.o.timeoutMs ?? 10_000);
    let result: VisibilityResult = 'visible';
    for (let attempt = 0; ; attempt++) {
      try {
        await pool.query(sql, values);
        break;
      } catch (e) {
        const errno = (e as { errno?: number }).errno;
        if (errno === undefined || !LOCKED.has(errno)) {
          // a table dropped or a column renamed since, or a missing grant: commit without the check
          if (Date.now() - this.warnedUnchecked > 60_000) {
            this.warnedUnchecked = Date.now();
            log.warn({ table: lock.table, err: e }, 'cannot check that a binlog transaction is visible before committing it to Kafka (the cdc user needs SELECT, and on MySQL LOCK TABLES, on the Commerce tables)');
          }
          result = 'unchecked';
          break;
        }
        if (Date.now() >= deadline) {
          log.warn({ table: lock.table, waitedMs: Date.now() - started }, 'a changed row stayed locked: committing to Kafka without knowing the binlog transaction is visible');
          result = 'timeout';
          break;
        }
        result = 'waited';
        await new Promise((r) => setTimeout(r, Math.min(20, 1 + attempt)));
      }
    }
    this.o.metrics?.readerVisibilityChecks.inc({ result });
    if (result === 'waited') this.o.metrics?.readerVisibilityWaitMs.inc(Date.now() - started);
    return result;
  }
}
