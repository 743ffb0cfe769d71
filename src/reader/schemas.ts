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
  codec: TableCodec;
  /** topic → Confluent wire header (magic byte + schema id). */
  headers: Map<string, Buffer>;
  ids: Map<string, number>;
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
    for (const table of tables) {
      const columns = cols.get(this.o.tablePrefix + table);
      if (!columns) {
        this.entries.delete(table);
        continue;
      }
      const old = this.entries.get(table);
      if (old && JSON.stringify(old.columns) === JSON.stringify(columns)) continue;
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
      const codec = buildTableCodec(table, columns, previous);
      const ids = new Map<string, number>();
      const headers = new Map<string, Buffer>();
      for (const topic of topics) {
        const subject = subjectFor(topic, codec.fullName);
        if (!this.compatibilitySet.has(subject)) {
          await this.o.registry.setCompatibility(subject, 'BACKWARD');
          this.compatibilitySet.add(subject);
        }
        const id = await this.o.registry.register(subject, codec.schema);
        ids.set(topic, id);
        headers.set(topic, wireHeader(id));
      }
      this.entries.set(table, { table, columns, codec, headers, ids });
      changed.push(table);
      if (old) this.o.log.info({ table, ids: Object.fromEntries(ids) }, 'table changed: new envelope schema registered');
    }
    return changed;
  }
}
