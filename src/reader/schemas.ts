import { readColumns, type ColumnInfo } from '../avro/columns.js';
import { buildTableCodec, previousValueOf, wireHeader, type PreviousValue, type TableCodec } from '../avro/envelope.js';
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
  private readonly compatibilitySet = new Set<string>();

  private readonly o: TableSchemasOptions;

  constructor(o: TableSchemasOptions) {
    this.o = o;
  }

  get(table: string): TableEntry | undefined {
    return this.entries.get(table);
  }

  columnsOf(): Map<string, string[]> {
    return new Map([...this.entries].map(([t, e]) => [t, e.columns.map((c) => c.name)]));
  }

  /** (Re)reads the columns of these logical tables and registers a new envelope version where it changed. */
  async load(tables: string[]): Promise<string[]> {
    const physical = tables.map((t) => this.o.tablePrefix + t);
    const cols = await readColumns(this.o.db, this.o.database, physical);
    const changed: string[] = [];
    const one = async (table: string): Promise<void> => {
      const columns = cols.get(this.o.tablePrefix + table);
      if (!columns) {
        this.entries.delete(table);
        return;
      }
      const old = this.entries.get(table);
      if (old && JSON.stringify(old.columns) === JSON.stringify(columns)) return;
      const topics = this.o.topicsOf(table);
      const previous = old
        ? mergePrevious([previousValueOf(JSON.stringify(old.codec.schema))])
        : mergePrevious(
            await Promise.all(
              topics.map(async (topic) => {
                const l = await this.o.registry.latest(subjectFor(topic, `commerce_cdc.${table}.Envelope`));
                return l ? previousValueOf(l.schema) : undefined;
              }),
            ),
          );
      this.entries.set(table, await this.register(table, columns, previous));
      changed.push(table);
      if (old) this.o.log.info({ table }, 'table changed: new envelope schema registered');
    };
    // a Commerce mapping names ~80 tables and ~150 subjects: register them a few at a time
    const todo = [...tables];
    await Promise.all(Array.from({ length: Math.min(12, todo.length) }, async () => {
      for (let t = todo.shift(); t !== undefined; t = todo.shift()) await one(t);
    }));
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
    const known = new Map((old?.columns ?? []).map((c) => [c.name, c]));
    const columns = binlog.map((b): ColumnInfo => {
      const type = b.COLUMN_TYPE.toLowerCase();
      const k = known.get(b.COLUMN_NAME);
      const dec = /^decimal\((\d+),(\d+)\)/.exec(type);
      return {
        name: b.COLUMN_NAME,
        dataType: /^(\w+)/.exec(type)?.[1] ?? 'varchar',
        columnType: type,
        // the binlog does not say; nullable keeps every later version readable
        nullable: true,
        precision: dec ? Number(dec[1]) : null,
        scale: dec ? Number(dec[2]) : null,
        unsigned: b.UNSIGNED ?? (/unsigned/.test(type) || (k?.unsigned ?? false)),
        pkPosition: k?.pkPosition ?? 0,
      };
    });
    const previous = old ? previousValueOf(JSON.stringify(old.codec.schema)) : undefined;
    const entry = await this.register(table, columns, previous);
    this.entries.set(table, entry);
    this.o.log.info({ table, columns: entry.names }, 'row event columns differ from information_schema: adopted the binlog columns');
    return entry;
  }
}
