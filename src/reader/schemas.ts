import { readColumns, type ColumnInfo } from '../avro/columns.js';
import { buildTableCodec, previousValueOf, type PreviousValue, type TableCodec } from '../avro/envelope.js';
import { wireHeader } from '../avro/wire.js';
import { subjectFor, type RegistryClient } from '../avro/registry.js';
import type { Logger } from '../log.js';
import type { Pool } from '../mysql/pool.js';

// The Avro envelope of every captured table and its schema id per topic. Built
// once at start and again after a DDL on the table, so the hot path never calls
// the registry.

export interface TableEntry {
  table: string;
  columns: ColumnInfo[];
  /** Column names joined by commas, compared with each row event's table map. */
  names: string;
  codec: TableCodec;
  /** topic → Confluent wire header (magic byte + schema id). */
  headers: Map<string, Buffer>;
  ids: Map<string, number>;
}

/** A column as zongji describes it from the binlog's table map. */
export interface BinlogColumn {
  COLUMN_NAME: string;
  COLUMN_TYPE: string;
  UNSIGNED?: boolean;
}

export interface TableSchemasOptions {
  db: Pool;
  database: string;
  tablePrefix: string;
  registry: RegistryClient;
  /** Change topics a logical table feeds. */
  topicsOf: (table: string) => string[];
  log: Logger;
}

function mergePrevious(list: Array<PreviousValue | undefined>): PreviousValue | undefined {
  const present = list.filter((p): p is PreviousValue => p !== undefined);
  if (!present.length) return undefined;
  const names = new Set(present.flatMap((p) => [...p.fields.keys()]));
  const fields = new Map<string, { nullable: boolean }>();
  for (const n of names) {
    // nullable in one subject's last version, or absent from it: keep it nullable for all
    if (present.every((p) => p.fields.get(n)?.nullable === false)) fields.set(n, { nullable: false });
    else fields.set(n, { nullable: true });
  }
  return { fields };
}

export class TableSchemas {
  private readonly entries = new Map<string, TableEntry>();
  private readonly pending = new Map<string, ColumnInfo[]>();
  private readonly inflight = new Map<string, Promise<TableEntry>>();
  private readonly compatibilitySet = new Set<string>();

  private readonly o: TableSchemasOptions;

  constructor(o: TableSchemasOptions) {
    this.o = o;
  }

  /** The registered envelope of a table, or undefined until ensure() ran for it. */
  get(table: string): TableEntry | undefined {
    return this.entries.get(table);
  }

  /** Columns of a table that exists (registered or not yet). */
  columns(table: string): ColumnInfo[] | undefined {
    return this.entries.get(table)?.columns ?? this.pending.get(table);
  }

  known(table: string): boolean {
    return this.entries.has(table) || this.pending.has(table);
  }

  /**
   * Registers the table's envelope on first use: a Commerce mapping names ~80
   * tables and ~150 subjects, most of which see no change in a session.
   */
  ensure(table: string): Promise<TableEntry | undefined> {
    const e = this.entries.get(table);
    if (e) return Promise.resolve(e);
    const columns = this.pending.get(table);
    if (!columns) return Promise.resolve(undefined);
    let p = this.inflight.get(table);
    if (!p) {
      p = (async () => {
        const entry = await this.register(table, columns, await this.previousFromRegistry(table));
        // a DDL may have replaced the pending columns meanwhile: the next ensure() registers those
        if (this.pending.get(table) === columns) {
          this.pending.delete(table);
          this.entries.set(table, entry);
        }
        return entry;
      })().finally(() => this.inflight.delete(table));
      this.inflight.set(table, p);
    }
    return p;
  }

  private async previousFromRegistry(table: string): Promise<PreviousValue | undefined> {
    return mergePrevious(
      await Promise.all(
        this.o.topicsOf(table).map(async (topic) => {
          const l = await this.o.registry.latest(subjectFor(topic, `commerce_cdc.${table}.Envelope`));
          return l ? previousValueOf(l.schema) : undefined;
        }),
      ),
    );
  }

  /**
   * (Re)reads the columns of these logical tables. A registered table whose columns
   * changed gets its new envelope version registered now; the others on first use.
   */
  async load(tables: string[]): Promise<string[]> {
    const physical = tables.map((t) => this.o.tablePrefix + t);
    const cols = await readColumns(this.o.db, this.o.database, physical);
    const changed: string[] = [];
    for (const table of tables) {
      const columns = cols.get(this.o.tablePrefix + table);
      const old = this.entries.get(table);
      if (!columns) {
        this.entries.delete(table);
        this.pending.delete(table);
        continue;
      }
      if (!old) {
        this.pending.set(table, columns);
        continue;
      }
      if (JSON.stringify(old.columns) === JSON.stringify(columns)) continue;
      this.entries.set(table, await this.register(table, columns, previousValueOf(JSON.stringify(old.codec.schema))));
      changed.push(table);
      this.o.log.info({ table }, 'table changed: new envelope schema registered');
    }
    return changed;
  }

  private async register(table: string, columns: ColumnInfo[], previous: PreviousValue | undefined): Promise<TableEntry> {
    const codec = buildTableCodec(table, columns, previous);
    const ids = new Map<string, number>();
    const headers = new Map<string, Buffer>();
    for (const topic of this.o.topicsOf(table)) {
      const subject = subjectFor(topic, codec.fullName);
      if (!this.compatibilitySet.has(subject)) {
        await this.o.registry.setCompatibility(subject, 'BACKWARD');
        this.compatibilitySet.add(subject);
      }
      const id = await this.o.registry.register(subject, codec.schema);
      ids.set(topic, id);
      headers.set(topic, wireHeader(id));
    }
    return { table, columns, names: columns.map((c) => c.name).join(','), codec, headers, ids };
  }

  /**
   * Adopts the columns a row event was written with (binlog_row_metadata=FULL),
   * when they differ from what information_schema said: rows written before a
   * later ALTER, replayed after it, keep their own columns.
   */
  async adoptBinlogColumns(table: string, binlog: BinlogColumn[]): Promise<TableEntry> {
    const old = this.entries.get(table);
    const known = new Map((this.columns(table) ?? []).map((c) => [c.name, c]));
    const columns = binlog.map((b): ColumnInfo => {
      const type = b.COLUMN_TYPE.toLowerCase();
      const k = known.get(b.COLUMN_NAME);
      // A column the table still has keeps its current type: rows written before a
      // MODIFY COLUMN fit it, and going back to the older (narrower) type would be
      // a change the registry rejects under BACKWARD compatibility. Only columns
      // since dropped take their type from the binlog.
      if (k) return k;
      const dec = /^decimal\((\d+),(\d+)\)/.exec(type);
      return {
        name: b.COLUMN_NAME,
        dataType: /^(\w+)/.exec(type)?.[1] ?? 'varchar',
        columnType: type,
        // the binlog does not say; nullable keeps every later version readable
        nullable: true,
        precision: dec ? Number(dec[1]) : null,
        scale: dec ? Number(dec[2]) : null,
        unsigned: b.UNSIGNED ?? /unsigned/.test(type),
        pkPosition: 0,
      };
    });
    const previous = old ? previousValueOf(JSON.stringify(old.codec.schema)) : await this.previousFromRegistry(table);
    const entry = await this.register(table, columns, previous);
    this.pending.delete(table);
    this.entries.set(table, entry);
    this.o.log.info({ table, columns: entry.names }, 'row event columns differ from information_schema: adopted the binlog columns');
    return entry;
  }
}
