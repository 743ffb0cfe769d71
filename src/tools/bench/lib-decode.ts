// The reader's limit: @vlasky/zongji alone decoding a binlog span, started as src/reader/binlog.ts
// starts it (same connection options, same event list, same table filter), with no Avro, no queue
// and no Kafka. Rows are counted and dropped.
import ZongJi from '@vlasky/zongji';
import { EVENTS } from '../../reader/binlog.js';

export interface DecodeSpan {
  connection: { host: string; port: number; user: string; password: string };
  serverId: number;
  database: string;
  tables: string[];
  from: { file: string; pos: number };
  /** The span ends with the event whose next position is this one (SHOW MASTER STATUS after the writes). */
  to: { File: string; Position: number };
}

export interface DecodeResult {
  rows: number;
  seconds: number;
}

interface DecodedEvent {
  getEventName(): string;
  nextPosition: number;
  binlogName?: string;
  rows?: unknown[];
}

/** Decodes the span; timed from the start request to the span's last event. */
export function decodeSpan(s: DecodeSpan): Promise<DecodeResult> {
  const z = new ZongJi({ ...s.connection, dateStrings: true, charset: 'utf8mb4' });
  let file = s.from.file;
  let rows = 0;
  const started = performance.now();
  return new Promise<DecodeResult>((resolve, reject) => {
    const finish = (e?: unknown) => {
      const seconds = (performance.now() - started) / 1000;
      z.removeAllListeners('binlog');
      const settle = () => (e ? reject(e) : resolve({ rows, seconds }));
      // as in BinlogSource.stop(): zongji may end the socket without a 'stopped' event
      const t = setTimeout(settle, 2000);
      z.once('stopped', () => {
        clearTimeout(t);
        settle();
      });
      z.stop();
    };
    z.on('binlog', (raw: unknown) => {
      const e = raw as DecodedEvent;
      const name = e.getEventName();
      if (name === 'rotate') file = e.binlogName ?? file;
      else if (name === 'writerows' || name === 'updaterows' || name === 'deleterows') rows += e.rows?.length ?? 0;
      if (file > s.to.File || (file === s.to.File && e.nextPosition >= s.to.Position)) finish();
    });
    z.on('error', (e: unknown) => finish(e));
    z.start({ serverId: s.serverId, includeEvents: EVENTS, includeSchema: { [s.database]: s.tables }, filename: s.from.file, position: s.from.pos });
  });
}
