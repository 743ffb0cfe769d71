// Multi-row INSERTs in large batches: the seed's speed comes from here.
import type { Connection, PoolConnection } from 'mysql2/promise';

type Value = string | number | null;

interface Buffer {
  columns: string[];
  rows: Value[][];
}

export class BatchWriter {
  private readonly buffers = new Map<string, Buffer>();
  readonly counts = new Map<string, number>();
  private inflight: Promise<void> = Promise.resolve();

  private readonly conn: Connection | PoolConnection;
  private readonly batchRows: number;

  constructor(conn: Connection | PoolConnection, batchRows = 5000) {
    this.conn = conn;
    this.batchRows = batchRows;
  }

  /** Queues one row; flushes the table's batch when it is full. */
  async row(table: string, columns: string[], values: Value[]): Promise<void> {
    let buf = this.buffers.get(table);
    if (!buf) {
      buf = { columns, rows: [] };
      this.buffers.set(table, buf);
    }
    buf.rows.push(values);
    if (buf.rows.length >= this.batchRows) await this.flushTable(table);
  }

  async rows(table: string, columns: string[], rows: Value[][]): Promise<void> {
    for (const r of rows) await this.row(table, columns, r);
  }

  async flushTable(table: string): Promise<void> {
    const buf = this.buffers.get(table);
    if (!buf || buf.rows.length === 0) return;
    const rows = buf.rows;
    buf.rows = [];
    // one INSERT runs on the server while the next batch is built here; at most two are in flight
    const query = this.conn
      .query(`INSERT INTO \`${table}\` (${buf.columns.map((c) => `\`${c}\``).join(', ')}) VALUES ?`, [rows])
      .then(() => {
        this.counts.set(table, (this.counts.get(table) ?? 0) + rows.length);
      });
    query.catch(() => undefined); // rethrown by the await of the next flush
    const previous = this.inflight;
    this.inflight = query;
    await previous;
  }

  async flush(): Promise<void> {
    for (const table of this.buffers.keys()) await this.flushTable(table);
    await this.inflight;
  }

  count(table: string): number {
    return (this.counts.get(table) ?? 0) + (this.buffers.get(table)?.rows.length ?? 0);
  }
}
