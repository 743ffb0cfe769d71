import ZongJi from '@vlasky/zongji';
import type { Config } from '../config/schema.js';
import { MysqlError } from '../errors.js';
import { mysqlOptions } from '../mysql/pool.js';
import type { Logger } from '../log.js';
import type { Source } from '../avro/envelope.js';
import { messagesBytes, rowMessages, truncateMessages, type ChangeContext, type OutMessage } from './changes.js';
import type { Mapping, Route } from './mapping.js';
import { GtidState, type BinlogPosition } from './position.js';
import type { ByteQueue } from './queue.js';
import type { BinlogColumn, TableEntry, TableSchemas } from './schemas.js';
import { rowLock } from './visibility.js';

// Tails the binlog with zongji and turns each binlog transaction into queue
// items: row records as they come, then a commit marker carrying the position
// after the transaction. Events are handled in binlog order; a DDL pauses the
// stream until the table's new schema is registered.

/** The binlog events the reader asks zongji for (the decode-only bench asks for the same). */
export const EVENTS = ['rotate', 'mariadbgtid', 'tablemap', 'writerows', 'updaterows', 'deleterows', 'xid', 'query'];

interface ZEvent {
  getEventName(): string;
  timestamp: number;
  nextPosition: number;
  [k: string]: unknown;
}

interface ZTableMap {
  tableName: string;
  parentSchema: string;
  columnSchemas?: BinlogColumn[];
}

interface ZConn {
  pause(): void;
  resume(): void;
  threadId?: number;
  query(sql: string, cb: (err: unknown) => void): void;
  once(ev: string, f: () => void): void;
  /** mysql2's socket. */
  stream?: { on(ev: 'data', f: () => void): void; destroy(): void };
}

export interface BinlogSourceOptions {
  config: Config;
  log: Logger;
  mapping: Mapping;
  schemas: TableSchemas;
  queue: ByteQueue;
  ctx: ChangeContext;
  /** Logical server name in source.server. */
  server: string;
  start: BinlogPosition;
  /** Resume with the GTID position (MariaDB) rather than file+pos. */
  useGtid: boolean;
  onError: (e: unknown) => void;
}

const TRUNCATE_RE = /^\s*TRUNCATE\s+(?:TABLE\s+)?(?:`?([^`\s.]+)`?\.)?`?([^`\s;]+)`?/i;
const DDL_RE = /^\s*(?:ALTER|CREATE|DROP|RENAME)\s/i;

export class BinlogSource {
  private readonly z: ZongJi;
  private readonly gtids: GtidState;
  private file: string;
  private txnGtid: string | undefined;
  private txnPos = 0;
  private standalone = false;
  /** The current binlog transaction's last captured row (see visibility.ts). */
  private lastRow: { table: string; entry: TableEntry; row: Record<string, unknown>; deleted: boolean } | undefined;
  private busy = false;
  private inbox: ZEvent[] = [];
  private readonly pauses = new Set<string>();
  private readonly db: string;
  private readonly prefix: string;
  private stopped = false;
  /** When the binlog socket last received bytes (events or the server's heartbeats). */
  private lastData = Date.now();
  private watchdog: NodeJS.Timeout | undefined;
  /** Position after the last binlog transaction handled. */
  seen: BinlogPosition;

  private readonly o: BinlogSourceOptions;

  constructor(o: BinlogSourceOptions) {
    this.o = o;
    const m = o.config.mysql;
    this.db = m.database;
    this.prefix = m.tablePrefix;
    this.gtids = new GtidState(o.start.gtid);
    this.file = o.start.file;
    this.seen = o.start;
    // mysql.tls applies to the binlog connection too (same ssl shape as the pool's)
    this.z = new ZongJi({ host: m.host, port: m.port, user: m.user, password: m.password, dateStrings: true, charset: 'utf8mb4', ssl: mysqlOptions(m).ssl });
    this.z.on('binlog', (e: unknown) => this.onEvent(e as ZEvent));
    this.z.on('error', (e: unknown) => {
      if (!this.stopped) o.onError(e);
    });
  }

  get threadId(): number | undefined {
    return (this.z.connection as unknown as ZConn | null)?.threadId;
  }

  /** Starts streaming; resolves once the dump request is on its way. */
  start(): Promise<void> {
    const tables = [...this.o.mapping.routes.keys()].map((t) => this.prefix + t);
    const s = this.o.start;
    const where = this.o.useGtid && s.gtid ? { gtidSet: s.gtid } : { filename: s.file, position: s.pos };
    return new Promise((resolve, reject) => {
      this.z.once('ready', () => {
        // a dump thread killed on the server may end the socket without an error event: never stall silently
        const conn = this.z.connection as unknown as ZConn | null;
        const lost = () => {
          if (!this.stopped) this.o.onError(new Error('binlog connection closed by the server'));
        };
        conn?.once('end', lost);
        conn?.once('close', lost);
        if (conn) this.watch(conn);
        resolve();
      });
      this.z.once('error', reject);
      this.z.start({ serverId: this.o.config.mysql.serverId, includeEvents: EVENTS, includeSchema: { [this.db]: tables }, ...where });
    });
  }

  /**
   * A network partition drops packets without a RST: the binlog socket then just goes quiet, and TCP
   * would notice only when keepalive probes fail (hours by default); zongji sets no heartbeat period
   * (the server sends heartbeats only when the replica asks). So the server is asked for a heartbeat
   * event every third of reader.binlogTimeoutMs while it has nothing to send (@master_heartbeat_period,
   * in nanoseconds, read by MariaDB's and MySQL's dump thread), and a socket that receives nothing for
   * the whole timeout while we read from it is destroyed and reported as lost (a new session follows).
   * Runs in the 'ready' handler: zongji queues its dump command right after it, so this SET goes first.
   */
  private watch(conn: ZConn): void {
    const timeout = this.o.config.reader.binlogTimeoutMs;
    conn.query(`SET @master_heartbeat_period = ${BigInt(Math.floor(timeout / 3)) * 1_000_000n}`, (err) => {
      if (err && !this.stopped) this.o.onError(err);
    });
    this.lastData = Date.now();
    conn.stream?.on('data', () => (this.lastData = Date.now()));
    this.watchdog = setInterval(() => {
      // paused on purpose (backpressure, a DDL's schema refresh): the silence is ours
      if (this.stopped || this.pauses.size) {
        this.lastData = Date.now();
        return;
      }
      if (Date.now() - this.lastData < timeout) return;
      clearInterval(this.watchdog);
      conn.stream?.destroy();
      this.o.onError(
        new MysqlError('MYSQL_UNREACHABLE', `binlog connection silent for ${timeout} ms (no event, no heartbeat): taken as lost`, {
          fix: 'check the network between the connector and the database; reader.binlogTimeoutMs sets how long silence is tolerated',
        }),
      );
    }, Math.min(1000, Math.floor(timeout / 4)));
    this.watchdog.unref();
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    return new Promise((resolve) => {
      const t = setTimeout(resolve, 2000);
      this.z.once('stopped', () => {
        clearTimeout(t);
        resolve();
      });
      this.z.stop();
    });
  }

  pause(reason: string): void {
    if (this.pauses.has(reason)) return;
    this.pauses.add(reason);
    if (this.pauses.size === 1) (this.z.connection as unknown as ZConn | null)?.pause();
  }

  resume(reason: string): void {
    if (!this.pauses.delete(reason)) return;
    if (this.pauses.size === 0) (this.z.connection as unknown as ZConn | null)?.resume();
  }

  private onEvent(e: ZEvent): void {
    if (this.stopped) return;
    if (this.busy) {
      this.inbox.push(e);
      return;
    }
    try {
      const p = this.handle(e);
      if (p) this.waitFor(p);
    } catch (err) {
      this.o.onError(err);
    }
  }

  /** Holds the stream while an async step (DDL refresh) runs, then handles what arrived meanwhile in order. */
  private waitFor(p: Promise<void>): void {
    this.busy = true;
    this.pause('ddl');
    p.then(async () => {
      while (this.inbox.length && !this.stopped) {
        const next = this.inbox.shift()!;
        const q = this.handle(next);
        if (q) await q;
      }
      this.busy = false;
      this.resume('ddl');
    }).catch((err: unknown) => this.o.onError(err));
  }

  private source(table: string, ts: number): Source {
    return { server: this.o.server, file: this.file, pos: this.txnPos, gtid: this.txnGtid ?? null, ts_ms: ts, db: this.db, table, snapshot: false };
  }

  private push(messages: OutMessage[], events: number): void {
    if (!messages.length) return;
    this.o.queue.push({ kind: 'rows', messages, bytes: messagesBytes(messages), events });
    if (this.o.queue.bytes > this.o.config.reader.maxQueueBytes) this.pause('queue');
  }

  private commit(e: ZEvent): void {
    if (this.txnGtid) this.gtids.add(this.txnGtid);
    this.txnGtid = undefined;
    this.standalone = false;
    const position: BinlogPosition = { file: this.file, pos: e.nextPosition, gtid: this.gtids.toString(), ts_ms: e.timestamp };
    this.seen = position;
    const last = this.lastRow;
    this.lastRow = undefined;
    this.o.queue.push({ kind: 'commit', position, bytes: 0, lock: last && rowLock(last.table, last.entry.columns, last.row, last.deleted) });
  }

  private handle(e: ZEvent): Promise<void> | undefined {
    switch (e.getEventName()) {
      case 'rotate':
        this.file = e.binlogName as string;
        return undefined;
      case 'mariadbgtid':
        this.txnGtid = e.gtid as string;
        this.txnPos = e.nextPosition;
        this.standalone = e.standalone === true;
        return undefined;
      case 'writerows':
      case 'updaterows':
      case 'deleterows':
        return this.rows(e);
      case 'xid':
        this.commit(e);
        return undefined;
      case 'query':
        return this.query(e);
      default:
        return undefined;
    }
  }

  private rows(e: ZEvent): Promise<void> | undefined {
    const tm = (e.tableMap as Record<number, ZTableMap>)[e.tableId as number];
    if (!tm || tm.parentSchema !== this.db || !tm.tableName.startsWith(this.prefix)) return undefined;
    const table = tm.tableName.slice(this.prefix.length);
    const routes = this.o.mapping.routes.get(table);
    if (!routes) return undefined;
    const entry = this.o.schemas.get(table);
    if (!entry && this.o.schemas.known(table)) return this.o.schemas.ensure(table).then(() => this.rows(e));
    const cols = tm.columnSchemas;
    if (cols && (!entry || !this.sameColumns(tm, entry.names))) {
      return this.o.schemas.adoptBinlogColumns(table, cols).then((adopted) => this.emitRows(e, table, routes, adopted));
    }
    if (!entry) return undefined;
    this.emitRows(e, table, routes, entry);
    return undefined;
  }

  private readonly tmNames = new WeakMap<ZTableMap, string>();

  private sameColumns(tm: ZTableMap, names: string): boolean {
    let n = this.tmNames.get(tm);
    if (n === undefined) {
      n = (tm.columnSchemas ?? []).map((c) => c.COLUMN_NAME).join(',');
      this.tmNames.set(tm, n);
    }
    return n === names;
  }

  private emitRows(e: ZEvent, table: string, routes: Route[], entry: TableEntry): void {
    const source = this.source(table, e.timestamp);
    const out: OutMessage[] = [];
    const name = e.getEventName();
    const rows = e.rows as Array<Record<string, unknown>>;
    if (name === 'writerows') for (const r of rows) rowMessages(this.o.ctx, entry, routes, 'c', null, r, source, out);
    else if (name === 'deleterows') for (const r of rows) rowMessages(this.o.ctx, entry, routes, 'd', r, null, source, out);
    else for (const r of rows as unknown as Array<{ before: Record<string, unknown>; after: Record<string, unknown> }>) rowMessages(this.o.ctx, entry, routes, 'u', r.before, r.after, source, out);
    const last = rows.at(-1);
    if (out.length && last) {
      const row = name === 'updaterows' ? (last as unknown as { after: Record<string, unknown> }).after : last;
      this.lastRow = { table: this.prefix + table, entry, row, deleted: name === 'deleterows' };
    }
    this.push(out, rows.length);
  }

  private query(e: ZEvent): Promise<void> | undefined {
    const q = String(e.query);
    const head = q.trimStart().slice(0, 10).toUpperCase();
    if (head.startsWith('BEGIN')) return undefined;
    if (head.startsWith('COMMIT') || head.startsWith('ROLLBACK') || head.startsWith('XA COMMIT')) {
      this.commit(e);
      return undefined;
    }
    const ours = e.schema === this.db || q.includes(this.db);
    const end = (): undefined => {
      // a DDL or TRUNCATE is its own event group, with no commit marker after it
      if (this.standalone) this.commit(e);
      return undefined;
    };
    if (!ours) return end();
    const t = TRUNCATE_RE.exec(q);
    if (t) {
      const schema = t[1] ?? String(e.schema);
      const physical = t[2] ?? '';
      const table = physical.slice(this.prefix.length);
      const routes = this.o.mapping.routes.get(table);
      if (schema !== this.db || !physical.startsWith(this.prefix) || !routes) return end();
      const source = this.source(table, e.timestamp);
      return this.o.schemas.ensure(table).then((entry) => {
        if (entry) {
          const out: OutMessage[] = [];
          truncateMessages(this.o.ctx, entry, routes, source, out);
          this.push(out, 1);
        }
        end();
      });
    }
    if (DDL_RE.test(q)) {
      const affected = [...this.o.mapping.routes.keys()].filter((t) => new RegExp(`\\b${(this.prefix + t).replace(/[$]/g, '\\$')}\\b`).test(q));
      if (affected.length) {
        this.o.log.info({ tables: affected }, 'DDL on captured tables: refreshing their schema');
        return this.o.schemas.load(affected).then(end);
      }
    }
    return end();
  }
}
