// How often a binlog client holds a change before other sessions can see it, and
// whether the reader's visibility check (src/reader/visibility.ts) closes that gap.
// One row is updated BENCH_VIS_UPDATES times; a zongji client reads the row back on
// another connection at every update event, first as it arrives, then after
// VisibilityBarrier.wait. A read older than the event is stale: an exporter
// assembling at that moment would lose the change. The gap shows under CPU load, so
// BENCH_VIS_BUSY busy loops (default 2) run meanwhile.
import { spawn } from 'node:child_process';
import ZongJi from '@vlasky/zongji';
import mysql from 'mysql2/promise';
import { readColumns } from '../../avro/columns.js';
import { createLogger } from '../../log.js';
import { rowLock, VisibilityBarrier } from '../../reader/visibility.js';

const env = process.env;
const UPDATES = Number(env.BENCH_VIS_UPDATES ?? 3000);
const BUSY = Number(env.BENCH_VIS_BUSY ?? 2);
const DB = 'bench_visibility';
const conn = { host: env.CDC_MYSQL_HOST ?? '127.0.0.1', port: Number(env.CDC_MYSQL_PORT ?? 3407), user: env.CDC_MYSQL_ADMIN_USER ?? 'cdc_admin', password: env.CDC_MYSQL_ADMIN_PASSWORD ?? 'cdc_admin_pw' };

interface UpdateEvent {
  getEventName(): string;
  rows: Array<{ after: { id: number; v: number } }>;
}

async function run(check: boolean): Promise<{ stale: number; checked: number; waited: number }> {
  const pool = mysql.createPool({ ...conn, database: DB, connectionLimit: 2 });
  const writer = await mysql.createConnection({ ...conn, database: DB });
  const columns = (await readColumns(pool, DB, ['t'])).get('t')!;
  const barrier = new VisibilityBarrier({ pool, database: DB, mariadb: true, log: createLogger({ level: 'error' }) });
  const z = new ZongJi({ ...conn });
  let stale = 0;
  let checked = 0;
  let waited = 0;
  let handled = 0;
  let failure: unknown;
  z.on('binlog', (ev: unknown) => {
    const e = ev as UpdateEvent;
    if (e.getEventName() !== 'updaterows') return;
    for (const r of e.rows) {
      void (async () => {
        if (check && (await barrier.wait(rowLock('t', columns, r.after)!)) !== 'visible') waited++;
        const [[row]] = (await pool.query('SELECT v FROM t WHERE id = ?', [r.after.id])) as unknown as [[{ v: number }]];
        checked++;
        if (row.v < r.after.v) stale++;
      })()
        .catch((e: unknown) => (failure ??= e))
        .finally(() => handled++);
    }
  });
  z.start({ includeEvents: ['tablemap', 'updaterows'], includeSchema: { [DB]: ['t'] }, startAtEnd: true, serverId: 9000 + Math.floor(Math.random() * 900) });
  await new Promise((r) => setTimeout(r, 1000));
  const [[{ v: start }]] = (await writer.query('SELECT v FROM t WHERE id = 1')) as unknown as [[{ v: number }]];
  for (let i = 1; i <= UPDATES; i++) await writer.query('UPDATE t SET v = ? WHERE id = 1', [start + i]);
  for (const until = Date.now() + 30_000; handled < UPDATES && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
  z.stop();
  await writer.end();
  await pool.end();
  if (failure) throw failure;
  return { stale, checked, waited };
}

const admin = await mysql.createConnection({ ...conn, multipleStatements: true });
await admin.query(`CREATE DATABASE IF NOT EXISTS ${DB}; CREATE TABLE IF NOT EXISTS ${DB}.t (id INT PRIMARY KEY, v INT NOT NULL); INSERT IGNORE INTO ${DB}.t VALUES (1, 0)`);
await admin.end();
const busy = Array.from({ length: BUSY }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
// also when this process ends by an error: a busy loop left behind would load the machine for good
process.on('exit', () => busy.forEach((b) => b.kill('SIGKILL')));
const without = await run(false);
const withCheck = await run(true);
console.log(`visibility: ${UPDATES} updates with ${BUSY} busy loops; read back ${without.checked} times without the check, ${withCheck.checked} with it (${withCheck.waited} checks found the row locked)`);
console.log(`BENCH visibility.stale_reads_without_check=${without.stale}`);
console.log(`BENCH visibility.stale_reads_with_check=${withCheck.stale}`);
// zongji's sockets may keep the event loop alive
process.exit(0);
