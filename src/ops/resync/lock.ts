import mysql from 'mysql2/promise';
import type { Config } from '../../config/schema.js';
import { mysqlError, mysqlOptions } from '../../mysql/pool.js';

// The per-feed lock, as Adobe's: a non-blocking MySQL GET_LOCK on the Commerce
// server (it needs no privilege and reads no table), held by one connection for
// the whole operation and released when it ends or the process dies.

export interface FeedLock {
  release(): Promise<void>;
}

export const lockName = (prefix: string, feed: string) => `commerce_cdc.${prefix}.${feed}`.slice(0, 64);

/** The lock, or the holder's description when another process has it. */
export async function acquireFeedLock(config: Config, feed: string): Promise<FeedLock | { heldBy: string }> {
  const name = lockName(config.prefix, feed);
  let conn: mysql.Connection;
  try {
    const { connectionLimit: _l, database: _d, ...opts } = mysqlOptions(config.mysql);
    conn = await mysql.createConnection({ ...opts, connectTimeout: 10_000 });
  } catch (e) {
    throw mysqlError(e, config.mysql);
  }
  try {
    const [[row]] = (await conn.query('SELECT GET_LOCK(?, 0) AS got, IS_USED_LOCK(?) AS holder', [name, name])) as unknown as [[{ got: number | string | null; holder: number | string | null }]];
    if (Number(row?.got) !== 1) {
      await conn.end().catch(() => undefined);
      return { heldBy: `connection ${row?.holder ?? '?'} (lock ${name})` };
    }
  } catch (e) {
    await conn.end().catch(() => undefined);
    throw mysqlError(e, config.mysql);
  }
  return {
    async release() {
      await conn.query('SELECT RELEASE_LOCK(?)', [name]).catch(() => undefined);
      await conn.end().catch(() => undefined);
    },
  };
}
