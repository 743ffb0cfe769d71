import mysql, { type Pool, type PoolOptions } from 'mysql2/promise';
import type { Config } from '../config/schema.js';
import { isTlsHandshakeFailure, tlsOptions } from '../config/tls.js';
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
    ssl: tlsOptions(c.tls, 'mysql.tls'),
  };
}

export function createPool(c: Config['mysql']): Pool {
  return mysql.createPool(mysqlOptions(c));
}

/** Maps a mysql2 error to the catalogue: wrong password, failed TLS handshake, unreachable server, the rest. */
export function mysqlError(e: unknown, c: Pick<Config['mysql'], 'host' | 'port' | 'user'> & { tls?: Pick<Config['mysql']['tls'], 'enabled'> }): MysqlError {
  const err = e as { code?: string; errno?: number; message?: string };
  const where = `${c.host}:${c.port}`;
  if (err.code === 'ER_ACCESS_DENIED_ERROR' || err.errno === 1045) {
    // MariaDB answers a connection without TLS to a user REQUIRE SSL (or under require_secure_transport) with the same 1045
    const tlsHint = c.tls?.enabled === false ? '; a user REQUIRE SSL or a server with require_secure_transport refuses a connection without TLS: then set mysql.tls.enabled and mysql.tls.ca (CDC_MYSQL_TLS_ENABLED, CDC_MYSQL_TLS_CA)' : '';
    return new MysqlError('MYSQL_AUTH_FAILED', `access denied for user '${c.user}' at ${where}`, {
      fix: `check mysql.user and mysql.password (CDC_MYSQL_USER, CDC_MYSQL_PASSWORD)${tlsHint}`,
      cause: e,
    });
  }
  if (err.code === 'HANDSHAKE_NO_SSL_SUPPORT') {
    return new MysqlError('MYSQL_TLS_FAILED', `the database at ${where} does not offer TLS`, {
      fix: 'turn TLS on in the server (ssl_cert, ssl_key, ssl_ca) or set mysql.tls.enabled false (CDC_MYSQL_TLS_ENABLED)',
      cause: e,
    });
  }
  if (err.code === 'HANDSHAKE_SSL_ERROR' && isTlsHandshakeFailure(e)) {
    return new MysqlError('MYSQL_TLS_FAILED', `TLS handshake with the database at ${where} failed: ${err.message ?? String(e)}`, {
      fix: "point mysql.tls.ca (CDC_MYSQL_TLS_CA) at the CA that signed the server's certificate (a PEM file)",
      cause: e,
    });
  }
  // HANDSHAKE_SSL_ERROR here: the connection went away during the TLS handshake (not a certificate)
  if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'HANDSHAKE_SSL_ERROR'].includes(err.code ?? '')) {
    return new MysqlError('MYSQL_UNREACHABLE', `cannot reach the database at ${where} (${err.code})`, {
      fix: 'check mysql.host and mysql.port and that the server runs',
      cause: e,
    });
  }
  return new MysqlError('MYSQL_QUERY_FAILED', `database error at ${where}: ${err.message ?? String(e)}`, { cause: e });
}
