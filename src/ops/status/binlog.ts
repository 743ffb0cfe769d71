import mysql from 'mysql2/promise';
import type { Config } from '../../config/schema.js';
import { detectEdition, EDITION_NAMES } from '../../mysql/edition.js';
import { mysqlError, mysqlOptions } from '../../mysql/pool.js';
import { isCdcError } from '../../errors.js';

/** The reader's stored position (`<prefix>.reader.offsets`, docs/internals.md). */
export interface ReaderPosition {
  version: number;
  serverId?: number;
  gtid?: string | null;
  file: string;
  pos: number;
  ts_ms: number;
  snapshot?: { feedsDone?: string[]; current?: { feed: string; lastId: string } | null } | null;
}

export interface ReaderFigures {
  position: ReaderPosition | null;
  /** The server's current write position (SHOW MASTER STATUS). */
  server: { file: string; pos: number; gtid: string | null } | null;
  /** Binlog bytes between the stored position and the server's (0 = caught up). */
  bytesBehind: number | null;
  /** Seconds since the stored event when behind, else 0. */
  lagSeconds: number | null;
  /** Is the stored position's file still on the server (false: purged, a new snapshot is needed). */
  positionFileListed: boolean | null;
  /** Binlog the server keeps from the stored file on (bytes). */
  binlogBytesKept: number | null;
  /** binlog_expire_logs_seconds (or expire_logs_days × 86400); 0 = never purged by age. */
  expireSeconds: number | null;
  /** Seconds left, at the earliest, before the server may purge the stored file (null: never / unknown). */
  purgeInSeconds: number | null;
  /** The catalog's edition as read from the schema ("Adobe Commerce (content staging)"), or the coded error. */
  edition?: string | null;
  error?: string;
}

interface BinaryLog {
  Log_name: string;
  File_size: string | number;
}

const seq = (file: string) => Number(/\.(\d+)$/.exec(file)?.[1] ?? NaN);

/** Compares the stored position with what the server holds now. */
export function readerFigures(
  position: ReaderPosition | null,
  logs: BinaryLog[],
  master: { File: string; Position: string | number } | undefined,
  gtid: string | null,
  expireSeconds: number,
  nowMs: number,
): ReaderFigures {
  const server = master ? { file: master.File, pos: Number(master.Position), gtid } : null;
  const base: ReaderFigures = {
    position,
    server,
    bytesBehind: null,
    lagSeconds: null,
    positionFileListed: null,
    binlogBytesKept: null,
    expireSeconds,
    purgeInSeconds: null,
  };
  if (!position || !server) return base;
  const listed = logs.some((l) => l.Log_name === position.file);
  if (!listed) return { ...base, positionFileListed: false };
  let behind = 0;
  let kept = 0;
  for (const l of logs) {
    const size = Number(l.File_size);
    if (seq(l.Log_name) < seq(position.file)) continue;
    kept += size;
    if (l.Log_name === server.file) behind += server.pos - (l.Log_name === position.file ? position.pos : 0);
    else if (l.Log_name === position.file) behind += Math.max(0, size - position.pos);
    else if (seq(l.Log_name) < seq(server.file)) behind += size;
  }
  behind = Math.max(0, behind);
  // a binlog file is purged by age from its last write; the stored event's time is a lower bound of that
  const ageS = Math.max(0, (nowMs - position.ts_ms) / 1000);
  return {
    ...base,
    positionFileListed: true,
    bytesBehind: behind,
    lagSeconds: behind > 0 ? Math.round(ageS) : 0,
    binlogBytesKept: kept,
    purgeInSeconds: expireSeconds > 0 ? Math.max(0, Math.round(expireSeconds - ageS)) : null,
  };
}

/** Queries the server (SHOW MASTER STATUS, SHOW BINARY LOGS, expiry settings) with the connector's user. */
export async function readServerFigures(config: Config, position: ReaderPosition | null): Promise<ReaderFigures> {
  let conn: mysql.Connection;
  try {
    const { connectionLimit: _l, ...opts } = mysqlOptions(config.mysql);
    conn = await mysql.createConnection({ ...opts, connectTimeout: 5000 });
  } catch (e) {
    throw mysqlError(e, config.mysql);
  }
  try {
    const [master] = (await conn.query('SHOW MASTER STATUS')) as unknown as [Array<{ File: string; Position: string }>];
    const [logs] = (await conn.query('SHOW BINARY LOGS')) as unknown as [BinaryLog[]];
    const [vars] = (await conn.query(
      "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('binlog_expire_logs_seconds','expire_logs_days','gtid_binlog_pos','gtid_executed')",
    )) as unknown as [Array<{ Variable_name: string; Value: string }>];
    const v = Object.fromEntries(vars.map((r) => [r.Variable_name, r.Value]));
    const expire = Number(v.binlog_expire_logs_seconds ?? 0) || Math.round(Number(v.expire_logs_days ?? 0) * 86400);
    const gtid = v.gtid_binlog_pos ?? v.gtid_executed ?? null;
    const edition = await detectEdition(conn, config.mysql.tablePrefix, config.mysql.database).then(
      (e) => EDITION_NAMES[e.edition],
      (e: unknown) => (isCdcError(e) ? e.toLine() : String(e)),
    );
    return { ...readerFigures(position, logs, master[0], gtid || null, expire, Date.now()), edition };
  } catch (e) {
    throw mysqlError(e, config.mysql);
  } finally {
    await conn.end().catch(() => undefined);
  }
}
