import type { Pool } from '../mysql/pool.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { MysqlError } from '../errors.js';

// What the server must offer before the reader tails its binlog. Each failure
// is one line naming the setting and the fix.

type Row = Record<string, unknown>;

async function rows(db: Pool, sql: string): Promise<Row[]> {
  const [r] = await db.query(sql);
  return r as Row[];
}

export interface ServerInfo {
  serverId: number;
  version: string;
  mariadb: boolean;
}

/** Which privileges the grant lines give on *.* and on the database. */
export function missingGrants(grants: string[], database: string): string[] {
  const global = grants.filter((g) => / ON \*\.\* /i.test(g)).join(' ').toUpperCase();
  const onDb = grants.filter((g) => new RegExp(` ON [\`'"]?${database.replace(/[^\w$]/g, '.')}[\`'"]?\\.\\* `, 'i').test(g)).join(' ').toUpperCase();
  const all = (s: string) => /ALL PRIVILEGES/.test(s);
  const has = (s: string, p: RegExp) => all(s) || p.test(s);
  const missing: string[] = [];
  if (!has(global, /REPLICATION SLAVE|REPLICATION REPLICA/)) missing.push('REPLICATION SLAVE');
  if (!has(global, /REPLICATION CLIENT|BINLOG MONITOR|SUPER/)) missing.push('REPLICATION CLIENT');
  if (!has(global, /\bSELECT\b/) && !has(onDb, /\bSELECT\b/)) missing.push('SELECT');
  return missing;
}

export async function checkServer(db: Pool, config: Config, log: Logger): Promise<ServerInfo> {
  const vars = new Map<string, string>();
  for (const r of await rows(db, "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin','binlog_format','binlog_row_image','binlog_row_metadata','server_id','version')")) {
    vars.set(String(r.Variable_name).toLowerCase(), String(r.Value));
  }
  const where = `${config.mysql.host}:${config.mysql.port}`;
  if ((vars.get('log_bin') ?? 'OFF').toUpperCase() !== 'ON') {
    throw new MysqlError('MYSQL_BINLOG_DISABLED', `the binary log is off on ${where}`, { fix: 'start the server with log_bin (log-bin=mysql-bin) and restart it' });
  }
  if ((vars.get('binlog_format') ?? '').toUpperCase() !== 'ROW') {
    throw new MysqlError('MYSQL_BINLOG_FORMAT', `binlog_format is ${vars.get('binlog_format')} on ${where}, the reader needs ROW`, { fix: 'SET GLOBAL binlog_format=ROW and set it in the server config' });
  }
  if ((vars.get('binlog_row_image') ?? '').toUpperCase() !== 'FULL') {
    throw new MysqlError('MYSQL_BINLOG_ROW_IMAGE', `binlog_row_image is ${vars.get('binlog_row_image')} on ${where}, the reader needs FULL`, { fix: 'SET GLOBAL binlog_row_image=FULL and set it in the server config' });
  }
  const meta = vars.get('binlog_row_metadata');
  if (meta !== undefined && meta.toUpperCase() !== 'FULL') {
    log.warn({ binlog_row_metadata: meta }, 'binlog_row_metadata is not FULL: column metadata is read from information_schema (set binlog_row_metadata=FULL)');
  }
  const grants = (await rows(db, 'SHOW GRANTS')).map((r) => String(Object.values(r)[0]));
  const missing = missingGrants(grants, config.mysql.database);
  if (missing.length) {
    throw new MysqlError('MYSQL_GRANTS_MISSING', `user '${config.mysql.user}' lacks ${missing.join(', ')}`, {
      fix: `GRANT ${missing.join(', ')} ON *.* TO '${config.mysql.user}'@'%' (SELECT may be limited to the Commerce database)`,
    });
  }
  const serverId = Number(vars.get('server_id'));
  const conflict = (other: string) =>
    new MysqlError('MYSQL_SERVER_ID_CONFLICT', `mysql.serverId ${config.mysql.serverId} is already used by ${other}`, {
      fix: 'set mysql.serverId (CDC_MYSQL_SERVER_ID) to an id no server or replica in the topology uses',
    });
  if (serverId === config.mysql.serverId) throw conflict('the database server itself');
  try {
    for (const r of await rows(db, 'SHOW SLAVE HOSTS')) if (Number(r.Server_id) === config.mysql.serverId) throw conflict(`replica ${String(r.Host)}:${String(r.Port)}`);
  } catch (e) {
    if (e instanceof MysqlError) throw e;
    // SHOW SLAVE HOSTS needs a privilege the connector user may lack: not fatal
  }
  return { serverId, version: vars.get('version') ?? '', mariadb: /mariadb/i.test(vars.get('version') ?? '') };
}

export interface BinaryLog {
  name: string;
  size: number;
}

export async function binaryLogs(db: Pool): Promise<BinaryLog[]> {
  return (await rows(db, 'SHOW BINARY LOGS')).map((r) => ({ name: String(r.Log_name), size: Number(r.File_size) }));
}

export async function masterStatus(db: Pool): Promise<{ file: string; pos: number; gtid: string | null }> {
  const [st] = await rows(db, 'SHOW MASTER STATUS');
  const [g] = await rows(db, 'SELECT @@GLOBAL.gtid_binlog_pos AS gtid');
  return { file: String(st?.File ?? ''), pos: Number(st?.Position ?? 0), gtid: g?.gtid ? String(g.gtid) : null };
}
