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

const SQL = `SELECT c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, c.IS_NULLABLE, c.NUMERIC_PRECISION, c.NUMERIC_SCALE,
  (SELECT k.ORDINAL_POSITION FROM information_schema.KEY_COLUMN_USAGE k
    WHERE k.TABLE_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME AND k.COLUMN_NAME = c.COLUMN_NAME AND k.CONSTRAINT_NAME = 'PRIMARY') AS PK
  FROM information_schema.COLUMNS c
  WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME IN (?)
  ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`;

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
  for (const r of res[0]) {
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
