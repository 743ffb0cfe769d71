import mysql from 'mysql2/promise';
import type { Producer } from 'kafkajs';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { mysqlOptions } from '../mysql/pool.js';
import { primaryKey } from '../avro/columns.js';
import type { Source } from '../avro/envelope.js';
import { partitionFor } from '../kafka/topics.js';
import { recheckMessages, rowMessages, type ChangeContext, type OutMessage } from './changes.js';
import { matchesFilters, type Mapping } from './mapping.js';
import type { BinlogPosition, SnapshotProgress } from './position.js';
import type { TableSchemas } from './schemas.js';
import { writeTransaction } from './writer.js';
import { currentVersionSql, MIN_VERSION } from '../feeds/common/link.js';

// The consistent snapshot (MariaDB, lock-free): inside START TRANSACTION WITH
// CONSISTENT SNAPSHOT, binlog_snapshot_file/position name the exact binlog
// point the read view matches. Rows are read in primary-key chunks, each chunk
// one Kafka transaction together with the snapshot progress, then streaming
// starts at that point: nothing is lost or doubled at the seam.
//
// An interrupted snapshot resumes from its last finished chunk with a new read
// view, later than the stored snapshot position. That is still consistent for
// the feeds: every change between the two points is streamed afterwards (the
// stream starts at the stored snapshot position), and the exporter rebuilds
// items from the database as it is then, so an entity read "too new" converges
// to the same item as soon as the streamed events for it are processed.

export interface SnapshotOptions {
  config: Config;
  log: Logger;
  mapping: Mapping;
  schemas: TableSchemas;
  producer: Producer;
  offsetsTopic: string;
  serverId: number;
  server: string;
  ctx: ChangeContext;
  /** Progress of an interrupted snapshot to continue. */
  progress: SnapshotProgress | null;
  /**
   * The stream will not continue from the stored position (purged, or snapshotMode always): the
   * first chunk carries the re-check records (recheckMessages), so items of entities deleted in the
   * gap end deleted too.
   */
  recheck?: boolean;
  stopRequested: () => boolean;
}

type Row = Record<string, unknown>;

const q = (name: string) => '`' + name.replace(/`/g, '``') + '`';

interface Unit {
  name: string;
  table: string;
  keys: string[];
  /** entities mode: the feed's root; rows mode: undefined. */
  root: Mapping['feeds'][number] | undefined;
  /** entities mode on a versioned root (Adobe Commerce): only the rows of the current version name entities. */
  versioned: boolean;
}

function unitsOf(o: SnapshotOptions): Unit[] {
  if (o.config.reader.snapshotScope === 'rows') {
    return [...o.mapping.routes.keys()].sort().flatMap((table) => {
      const cols = o.schemas.columns(table);
      return cols ? [{ name: table, table, keys: primaryKey(cols), root: undefined, versioned: false }] : [];
    });
  }
  return [...o.mapping.feeds]
    .sort((a, b) => a.feed.localeCompare(b.feed))
    .flatMap((f) => {
      const cols = o.schemas.columns(f.root.table);
      if (!cols) return [];
      const pk = primaryKey(cols).filter((k) => k !== f.root.id);
      const names = cols.map((c) => c.name);
      // ordered by the entity id first so each id's rows are adjacent; the pk makes the order total
      return [{ name: f.feed, table: f.root.table, keys: [f.root.id, ...pk], root: f, versioned: names.includes('created_in') && names.includes('updated_in') }];
    });
}

/** The re-check records of every feed (on its root table's envelope), for the first chunk. */
async function recheckAll(o: SnapshotOptions, position: BinlogPosition): Promise<OutMessage[]> {
  const out: OutMessage[] = [];
  for (const f of o.mapping.feeds) {
    const entry = await o.schemas.ensure(f.root.table);
    if (!entry) continue;
    const source: Source = { server: o.server, file: position.file, pos: position.pos, gtid: position.gtid, ts_ms: Date.now(), db: o.config.mysql.database, table: f.root.table, snapshot: true };
    recheckMessages(o.ctx, entry, f.feed, f.root.entity, source, out);
  }
  o.log.warn({ feeds: o.mapping.feeds.map((f) => f.feed) }, 'snapshot does not continue the stored position: every item is re-checked (deleted entities become deleted items)');
  return out;
}

export async function runSnapshot(o: SnapshotOptions): Promise<BinlogPosition> {
  const c = o.config;
  const conn = await mysql.createConnection({ ...mysqlOptions(c.mysql), connectionLimit: undefined } as mysql.ConnectionOptions);
  try {
    await conn.query("SET SESSION time_zone = '+00:00'");
    await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    let position = o.progress?.position;
    if (!position) {
      const [st] = (await conn.query("SHOW STATUS LIKE 'binlog_snapshot%'")) as unknown as [Array<{ Variable_name: string; Value: string }>];
      const v = new Map(st.map((r) => [r.Variable_name.toLowerCase(), r.Value]));
      const file = v.get('binlog_snapshot_file') ?? '';
      const pos = Number(v.get('binlog_snapshot_position') ?? 0);
      const [g] = (await conn.query('SELECT BINLOG_GTID_POS(?, ?) AS gtid', [file, pos])) as unknown as [Array<{ gtid: string | null }>];
      position = { file, pos, gtid: g[0]?.gtid || null, ts_ms: Date.now() };
    }
    const [[flag]] = (await conn.query(`SELECT ${currentVersionSql({ t: (x) => c.mysql.tablePrefix + x })} AS v`).catch(() => [[{ v: MIN_VERSION }]])) as unknown as [[{ v: number | string }]];
    const version = Number(flag.v);
    const progress: SnapshotProgress = { position, feedsDone: [...(o.progress?.feedsDone ?? [])], current: o.progress?.current ?? null };
    o.log.info({ position, scope: c.reader.snapshotScope, resumed: o.progress !== null }, 'snapshot started');
    const units = unitsOf(o);
    let total = 0;
    let wroteFinal = false;
    // committed with the first chunk and its progress: a resumed snapshot has sent them already
    let recheck = o.recheck === true && o.progress === null ? await recheckAll(o, position) : [];
    for (const unit of units) {
      if (progress.feedsDone.includes(unit.name)) continue;
      let last: unknown[] | undefined = progress.current?.feed === unit.name ? (JSON.parse(progress.current.lastId) as unknown[]) : undefined;
      let lastEntity: string | undefined;
      for (;;) {
        if (o.stopRequested()) throw new Error('snapshot interrupted by stop');
        const conds = last ? [`(${unit.keys.map(q).join(', ')}) > (${unit.keys.map(() => '?').join(', ')})`] : [];
        // the version the storefront shows, read in the snapshot's own read view (the row image analysts see)
        if (unit.root && unit.versioned) conds.push(`created_in <= ${version} AND updated_in > ${version}`);
        const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
        const [rows] = (await conn.query(`SELECT * FROM ${q(c.mysql.tablePrefix + unit.table)} ${where} ORDER BY ${unit.keys.map(q).join(', ')} LIMIT ${c.reader.snapshotChunkSize}`, last ?? [])) as unknown as [Row[]];
        const out: OutMessage[] = recheck;
        recheck = [];
        const source: Source = { server: o.server, file: position.file, pos: position.pos, gtid: position.gtid, ts_ms: Date.now(), db: c.mysql.database, table: unit.table, snapshot: true };
        const entry = (await o.schemas.ensure(unit.table))!;
        for (const row of rows) {
          if (unit.root) {
            const root = unit.root.root;
            if (!matchesFilters(row, root.when, root.unless)) continue;
            const id = String(row[root.id]);
            if (id === lastEntity) continue;
            lastEntity = id;
            const topic = o.ctx.changesTopic(unit.root.feed);
            const header = entry.headers.get(topic)!;
            const head = entry.codec.encodeHead('r', null, entry.codec.toValue(row), source);
            const ent = entry.codec.encodeEntity({ type: root.entity, id, feed: unit.root.feed });
            out.push({ feed: unit.root.feed, op: 'r', topic, partition: partitionFor(id, o.ctx.partitions), key: id, value: Buffer.concat([header, head, ent]) });
          } else {
            rowMessages(o.ctx, entry, o.mapping.routes.get(unit.table) ?? [], 'r', null, row, source, out);
          }
        }
        const done = rows.length < c.reader.snapshotChunkSize;
        const lastRow = rows[rows.length - 1];
        if (lastRow) last = unit.keys.map((k) => lastRow[k]);
        if (done) {
          progress.feedsDone.push(unit.name);
          progress.current = null;
        } else progress.current = { feed: unit.name, lastId: JSON.stringify(last) };
        const finished = done && units.every((u) => progress.feedsDone.includes(u.name));
        await writeTransaction(o.producer, o.offsetsTopic, o.serverId, out, position, finished ? null : progress, o.ctx.maxRequestBytes);
        total += out.length;
        wroteFinal = finished;
        if (done) break;
      }
    }
    if (!wroteFinal) {
      await writeTransaction(o.producer, o.offsetsTopic, o.serverId, recheck, position, null);
    }
    await conn.query('COMMIT');
    o.log.info({ events: total, position }, 'snapshot finished');
    return position;
  } finally {
    await conn.end().catch(() => undefined);
  }
}
