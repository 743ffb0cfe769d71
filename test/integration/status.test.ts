import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readerFigures } from '../../src/ops/status/binlog.js';
import type { StatusReport } from '../../src/ops/status/index.js';
import { cli } from '../helpers/cli.js';
import { adminConnection, createDatabase, dropDatabase, uniqueName } from '../helpers/stack.js';
import { cliEnv, FeedWriter, testKafka } from './status.fixture.js';

describe('commerce-cdc status', () => {
  const prefix = uniqueName('status');
  let database = '';
  let server: { File: string; Position: string };
  const env = () => cliEnv(prefix, database, { CDC_EXPORTER_FEEDS: 'products,prices' });

  beforeAll(async () => {
    database = await createDatabase('status');
    const c = await adminConnection();
    [[server]] = (await c.query('SHOW MASTER STATUS')) as unknown as [[{ File: string; Position: string }]];
    await c.end();
    const w = new FeedWriter(testKafka(), prefix);
    await w.topics(['products', 'prices']);
    const t0 = Date.parse('2026-01-02T03:04:05Z');
    // two transactions, so later versions of a key replace earlier ones as compaction would
    await w.write('products', {
      items: [
        { feedId: 'a', sourceEntityId: '1', hash: 'h1' },
        { feedId: 'b', sourceEntityId: '2', hash: 'h1' },
        { feedId: 'c', sourceEntityId: '3', hash: 'h1' },
        { feedId: 'd', sourceEntityId: '4', hash: 'h0' },
        { feedId: 'f', sourceEntityId: '6', hash: 'h1' },
        { feedId: 'g', sourceEntityId: '7', hash: 'h1' },
      ],
      statuses: [{ feedId: 'd', sourceEntityId: '4', hash: 'h0', status: 200 }],
    });
    await w.write('products', {
      items: [
        { feedId: 'd', sourceEntityId: '4', hash: 'h1' }, // rewritten: the 200 of h0 no longer counts
        { feedId: 'e', sourceEntityId: '5', hash: 'h1', deleted: true, writtenAt: t0 },
        { tombstone: 'f', sourceEntityId: '6' },
      ],
      statuses: [
        { feedId: 'a', sourceEntityId: '1', hash: 'h1', status: 200 },
        { feedId: 'b', sourceEntityId: '2', hash: 'h1', status: 200 },
        { feedId: 'c', sourceEntityId: '3', hash: 'h1', status: 400, error: 'sku is required' },
        { feedId: 'e', sourceEntityId: '5', hash: 'h1', status: 200 },
        { feedId: 'g', sourceEntityId: '7', hash: 'h1', status: 2, error: 'HTTP 503' },
      ],
      position: { version: 1, serverId: 1, gtid: null, file: server.File, pos: Number(server.Position) - 100, ts_ms: Date.now() - 60_000, snapshot: null },
    });
  });

  afterAll(async () => {
    await dropDatabase(database);
  });

  it('--json gives the figures the topics hold', async () => {
    const r = await cli(['status', '--json'], env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as StatusReport;
    expect(report.complete).toBe(true);
    expect(report.feeds.map((f) => f.feed)).toEqual(['products', 'prices']);
    const p = report.feeds[0]!;
    expect({ items: p.items, deleted: p.deleted, sent: p.sent, failed: p.failed, pending: p.pending }).toEqual({ items: 5, deleted: 1, sent: 3, failed: 1, pending: 2 });
    expect(p.failedItems).toEqual([expect.objectContaining({ feedId: 'c', sourceEntityId: '3', status: 400, error: 'sku is required' })]);
    expect(p.lastChangeAt).not.toBeNull();
    expect(report.feeds[1]).toMatchObject({ feed: 'prices', items: 0, sent: 0, failed: 0, pending: 0, lastChangeAt: null });

    const rd = report.reader;
    expect(rd.position).toMatchObject({ file: server.File, pos: Number(server.Position) - 100 });
    expect(rd.positionFileListed).toBe(true);
    expect(rd.server?.file).toBeTruthy();
    // other tests write to the same server meanwhile: at least the 100 bytes
    expect(rd.bytesBehind).toBeGreaterThanOrEqual(100);
    expect(rd.lagSeconds).toBeGreaterThanOrEqual(60);
    expect(rd.binlogBytesKept).toBeGreaterThanOrEqual(rd.bytesBehind!);
  });

  it('prints a table with the same figures', async () => {
    const r = await cli(['status'], env());
    expect(r.code).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('products'));
    expect(line?.split(/\s+/).slice(0, 6)).toEqual(['products', '5', '1', '3', '1', '2']);
    expect(r.stdout).toContain(`${server.File}:${Number(server.Position) - 100}`);
    expect(r.stdout).toMatch(/products 3 c\s+status 400: sku is required/);
  });

  it('reports an empty prefix without failing', async () => {
    const r = await cli(['status', '--json'], cliEnv(uniqueName('empty'), database, { CDC_EXPORTER_FEEDS: 'scopesWebsite' }));
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as StatusReport;
    expect(report.feeds).toEqual([expect.objectContaining({ feed: 'scopesWebsite', items: 0, pending: 0 })]);
    expect(report.reader.position).toBeNull();
  });
});

describe('reader figures', () => {
  const logs = [
    { Log_name: 'bin.000007', File_size: 1000 },
    { Log_name: 'bin.000008', File_size: 5000 },
    { Log_name: 'bin.000009', File_size: 300 },
  ];
  const master = { File: 'bin.000009', Position: 300 };
  const pos = (file: string, p: number, ts_ms: number) => ({ version: 1, file, pos: p, ts_ms });

  it('counts the bytes from the stored position across files', () => {
    const r = readerFigures(pos('bin.000008', 4000, 0), logs, master, null, 86400, 3600_000);
    expect(r.bytesBehind).toBe(1000 + 300);
    expect(r.binlogBytesKept).toBe(5300);
    expect(r.lagSeconds).toBe(3600);
    expect(r.purgeInSeconds).toBe(86400 - 3600);
  });

  it('is zero when caught up, and says when the file is gone', () => {
    expect(readerFigures(pos('bin.000009', 300, 0), logs, master, null, 0, 10_000)).toMatchObject({ bytesBehind: 0, lagSeconds: 0, purgeInSeconds: null });
    expect(readerFigures(pos('bin.000002', 4, 0), logs, master, null, 0, 0).positionFileListed).toBe(false);
  });
});
