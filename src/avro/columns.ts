// What the reader knows about a table's columns: read from information_schema
// once at start and again after each DDL on the table.

export interface ColumnInfo {
  name: string;
  /** information_schema DATA_TYPE, lower case: int, decimal, varchar, ... */
  dataType: string;
  /** information_schema COLUMN_TYPE, lower case: "int(10) unsigned", "enum('a','b')", ... */
  columnType: string;
  nullable: boolean;
  precision: number | null;
  scale: number | null;
  unsigned: boolean;
  /** 1-based position in the primary key, 0 when not part of it. */
  pkPosition: number;
}

export interface TableColumns {
  table: string;
  columns: ColumnInfo[];
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

interface ColumnRow {
  TABLE_NAME: string;
  COLUMN_NAME: string;
  DATA_TYPE: string;
  COLUMN_TYPE: string;
  IS_NULLABLE: string;
  NUMERIC_PRECISION: string | number | null;
  NUMERIC_SCALE: string | number | null;
  PK: string | number | null;
}

// Two plain information_schema reads: MariaDB 10.11 crashed (signal 11, in
// create_tmp_table_for_schema) on a correlated KEY_COLUMN_USAGE subquery here.
const SQL = `SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, NUMERIC_PRECISION, NUMERIC_SCALE
  FROM information_schema.COLUMNS
  WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?)
  ORDER BY TABLE_NAME, ORDINAL_POSITION`;

const PK_SQL = `SELECT TABLE_NAME, COLUMN_NAME, SEQ_IN_INDEX
  FROM information_schema.STATISTICS
  WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?) AND INDEX_NAME = 'PRIMARY'`;

function toColumn(r: ColumnRow): ColumnInfo {
  const columnType = String(r.COLUMN_TYPE).toLowerCase();
  return {
    name: r.COLUMN_NAME,
    dataType: String(r.DATA_TYPE).toLowerCase(),
    columnType,
    nullable: r.IS_NULLABLE === 'YES',
    precision: r.NUMERIC_PRECISION === null ? null : Number(r.NUMERIC_PRECISION),
    scale: r.NUMERIC_SCALE === null ? null : Number(r.NUMERIC_SCALE),
    unsigned: /\bunsigned\b/.test(columnType),
    pkPosition: r.PK === null ? 0 : Number(r.PK),
  };
}

/** Columns of the named tables (physical names) that exist; absent tables are missing from the map. */
export async function readColumns(db: Queryable, database: string, tables: string[]): Promise<Map<string, ColumnInfo[]>> {
  const out = new Map<string, ColumnInfo[]>();
  if (!tables.length) return out;
  const res = (await db.query(SQL, [database, tables])) as [ColumnRow[], unknown];
  const pks = (await db.query(PK_SQL, [database, tables])) as [Array<{ TABLE_NAME: string; COLUMN_NAME: string; SEQ_IN_INDEX: string | number }>, unknown];
  const pkPos = new Map(pks[0].map((k) => [`${k.TABLE_NAME}\0${k.COLUMN_NAME}`, Number(k.SEQ_IN_INDEX)]));
  for (const r of res[0]) {
    r.PK = pkPos.get(`${r.TABLE_NAME}\0${r.COLUMN_NAME}`) ?? null;
    const list = out.get(r.TABLE_NAME) ?? [];
    list.push(toColumn(r));
    out.set(r.TABLE_NAME, list);
  }
  return out;
}

/** Primary key columns in key order (all columns when the table has no primary key). */
export function primaryKey(columns: ColumnInfo[]): string[] {
  const pk = columns.filter((c) => c.pkPosition > 0).sort((a, b) => a.pkPosition - b.pkPosition);
  return (pk.length ? pk : columns).map((c) => c.name);
}
