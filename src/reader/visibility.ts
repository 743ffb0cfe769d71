import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Pool } from '../mysql/pool.js';
import { primaryKey, type ColumnInfo } from '../avro/columns.js';

// MariaDB and MySQL write a transaction to the binlog, and let binlog clients
// read it, before the storage engine commits it: for a moment a binlog client
// holds a change that other sessions cannot see yet. The exporters read the
// Commerce tables back once a change reaches them, so a change committed to
// Kafka inside that moment would be assembled from the old rows, deduplicated
// as unchanged and lost. (src/tools/bench/visibility.ts measures how often, with and
// without the check below.)
//
// InnoDB holds a transaction's row locks until it is visible. Before the reader
// commits a Kafka transaction it takes a shared lock, without waiting, on one
// row the last binlog transaction in it changed: once that succeeds, that binlog
// transaction and, as engines commit in binlog order, every earlier one are
// visible. While the row is locked, a plain read of it is compared with the
// transaction's row image: when the committed row already equals it (or is gone,
// for a delete), a reader of the table sees the change, and the lock belongs to a
// later transaction (a long import holding the row, say), so there is no need to
// wait for that one.

/** One row a binlog transaction changed, by its primary key. */
export interface RowLock {
  /** The table's name in the database (table prefix included). */
  table: string;
  key: Array<[column: string, value: unknown]>;
  /** The row as the transaction left it (its after image), or null when it deleted the row. */
  image: Record<string, unknown> | null;
}

/** The lock to take for a row the transaction wrote (`deleted`: its before image); undefined when the table has no primary key. */
export function rowLock(table: string, columns: ColumnInfo[], row: Record<string, unknown>, deleted = false): RowLock | undefined {
  if (!columns.some((c) => c.pkPosition > 0)) return undefined;
  return { table, key: primaryKey(columns).map((c) => [c, row[c]]), image: deleted ? null : row };
}

/**
 * Whether a row read with the reader's pool settings equals a binlog row image. Values whose
 * types differ between the two (a JSON column, a float's digits) count as different: the
 * caller then waits for the lock instead, which is only slower.
 */
export function sameRow(read: Record<string, unknown>, image: Record<string, unknown>): boolean {
  for (const [k, v] of Object.entries(image)) {
    const r = read[k];
    if (v === null || v === undefined || r === null || r === undefined) {
      if ((v ?? null) !== (r ?? null)) return false;
    } else if (Buffer.isBuffer(v) || Buffer.isBuffer(r)) {
      if (!Buffer.isBuffer(v) || !Buffer.isBuffer(r) || !v.equals(r)) return false;
    } else if (typeof v === 'object' || typeof r === 'object' || String(v) !== String(r)) {
      return false;
    }
  }
  return true;
}

/**
 * visible: the row was not locked; committed: it was locked (by a later transaction) but the
 * committed row already shows the change; waited: the lock was released within the timeout.
 */
export type VisibilityResult = 'visible' | 'committed' | 'waited' | 'timeout' | 'unchecked';

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
    const from = `FROM ${quote(database)}.${quote(lock.table)} WHERE ${lock.key.map(([c]) => `${quote(c)} = ?`).join(' AND ')}`;
    const sql = `SELECT 1 ${from} ${mariadb ? 'LOCK IN SHARE MODE' : 'FOR SHARE'} NOWAIT`;
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
        // locked: by this transaction, not yet visible, or by a later one, after this one is visible
        const [rows] = (await pool.query(`SELECT * ${from}`, values)) as unknown as [Array<Record<string, unknown>>];
        if (lock.image === null ? rows.length === 0 : rows.length === 1 && sameRow(rows[0]!, lock.image)) {
          result = 'committed';
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
