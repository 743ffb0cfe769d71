import { readFileSync } from 'node:fs';
import mysql, { type Pool, type PoolOptions } from 'mysql2/promise';
import type { Config } from '../config/schema.js';
import { MysqlError } from '../errors.js';

export type { Pool };

export function mysqlOptions(c: Config['mysql']): PoolOptions {
  return {
    host: c.host,
    port: c.port,
    user: c.user,
    password: c.password,
    database: c.database,
    connectionLimit: c.connectionLimit,
    // DATETIME/TIMESTAMP as strings: no time zone shift, microseconds kept
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    charset: 'utf8mb4',
    timezone: 'Z',
    ssl: c.tls.enabled
      ? {
          rejectUnauthorized: c.tls.rejectUnauthorized,
          ca: c.tls.ca ? readFileSync(c.tls.ca, 'utf8') : undefined,
          cert: c.tls.cert ? readFileSync(c.tls.cert, 'utf8') : undefined,
          key: c.tls.key ? readFileSync(c.tls.key, 'utf8') : undefined,
        }
      : undefined,
  };
}

export function createPool(c: Config['mysql']): Pool {
  return mysql.createPool(mysqlOptions(c));
}

/** Maps a mysql2 error to the catalogue: wrong password, unreachable server, the rest. */
export function mysqlError(e: unknown, c: Pick<Config['mysql'], 'host' | 'port' | 'user'>): MysqlError {
  const err = e as { code?: string; errno?: number; message?: string };
  const where = `${c.host}:${c.port}`;
  if (err.code === 'ER_ACCESS_DENIED_ERROR' || err.errno === 1045) {
    return new MysqlError('MYSQL_AUTH_FAILED', `access denied for user '${c.user}' at ${where}`, {
      fix: 'check mysql.user and mysql.password (CDC_MYSQL_USER, CDC_MYSQL_PASSWORD)',
      cause: e,
    });
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'PROTOCOL_CONNECTION_LOST', 'ECONNRESET'].includes(err.code ?? '')) {
    return new MysqlError('MYSQL_UNREACHABLE', `cannot reach the database at ${where} (${err.code})`, {
      fix: 'check mysql.host and mysql.port and that the server runs',
      cause: e,
    });
  }
  return new MysqlError('MYSQL_QUERY_FAILED', `database error at ${where}: ${err.message ?? String(e)}`, { cause: e });
}
