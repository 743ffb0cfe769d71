// The reader on an Adobe Commerce (content staging) catalog with the shipped mapping:
// the snapshot names each entity once, with the row of the current version (never a
// scheduled update's future row), rows of link-keyed tables stream as version rows
// (`productRow:*`) keyed by row_id, and a move of the staging flag is one change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimalFromBytes } from '../../src/avro/types.js';
import { topicNames } from '../../src/kafka/topics.js';
import { applyDueUpdates } from '../../src/tools/seed/staging.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { adminConnection, dropDatabase, ROOT, stackEnv, testConfig, uniqueName } from '../helpers/stack.js';
import { readChanges, startReader, type ChangeRecord } from './reader-support.js';

describe('reader on an Adobe Commerce catalog', () => {
  let database: string;
  const prefix = uniqueName('rdrcom');

  beforeAll(async () => {
    database = await createCommerceDatabase('rdrcom', { products: 20, configurables: 1, childrenPerConfigurable: 3, orders: 0 }, 'commerce');
  });
  afterAll(async () => {
    if (database) await dropDatabase(database);
  });

  it('snapshots the current version of each entity once, streams row_id-keyed rows as version rows, and a version move as one change', async () => {
    const c = await adminConnection(database);
    const { reader, kafka } = startReader(testConfig(database, prefix, { reader: { connector: `${ROOT}connectors/feeds`, heartbeatMs: 500, snapshotChunkSize: 7 } }));
    try {
      const [rows] = (await c.query('SELECT entity_id, COUNT(*) AS versions FROM catalog_product_entity GROUP BY entity_id')) as unknown as [Array<{ entity_id: number; versions: number }>];
      expect(rows.some((r) => Number(r.versions) > 1), 'the seed wrote future versions').toBe(true);
      // the staging cron has made the first scheduled update current before the reader starts
      const [updates] = (await c.query('SELECT id FROM staging_update WHERE is_rollback IS NULL OR is_rollback = 0 ORDER BY id')) as unknown as [Array<{ id: number }>];
      const [first, second] = updates.map((u) => Number(u.id));
      expect(await applyDueUpdates(c, new Date(first! * 1000))).toMatchObject({ previous: 1, current: first, moved: true });
      await reader.start();
      const topic = topicNames(prefix).changes('products');
      const snap = (await readChanges(kafka, stackEnv.registryUrl, [topic], { quietMs: 3000, timeoutMs: 60_000 })).filter((r) => r.value.op === 'r');
      // one r event per product, each the row whose version range holds the current version
      expect(snap.map((r) => Number(r.key)).sort((a, b) => a - b)).toEqual(rows.map((r) => Number(r.entity_id)).sort((a, b) => a - b));
      for (const r of snap) {
        // BIGINT UNSIGNED: an Avro decimal (bytes, scale 0)
        const after = r.value.after as { created_in: Buffer; updated_in: Buffer };
        expect(Number(decimalFromBytes(after.created_in, 0)), `product ${r.key}`).toBeLessThanOrEqual(first!);
        expect(Number(decimalFromBytes(after.updated_in, 0)), `product ${r.key}`).toBeGreaterThan(first!);
      }
      // the product of the first update is named by its new version's row, not its first one
      expect(snap.some((r) => Number(decimalFromBytes((r.value.after as { created_in: Buffer }).created_in, 0)) === first)).toBe(true);

      // a value of product 3's current version: one record naming the version row
      const [[cur]] = (await c.query('SELECT row_id FROM catalog_product_entity WHERE entity_id = 3 AND created_in <= ? AND updated_in > ?', [first, first])) as unknown as [[{ row_id: number }]];
      await c.query(`UPDATE catalog_product_entity_varchar SET value = CONCAT(value, ' x') WHERE row_id = ? AND store_id = 0 LIMIT 1`, [cur.row_id]);
      // the staging cron moves on to the second update: one change naming the move
      expect(await applyDueUpdates(c, new Date(second! * 1000))).toMatchObject({ previous: first, current: second, moved: true });
      const all = await readChanges(kafka, stackEnv.registryUrl, [topic], { quietMs: 3000, timeoutMs: 60_000 });
      const streamed = all.filter((r: ChangeRecord) => r.value.op !== 'r');
      const value = streamed.find((r) => r.value.source.table === 'catalog_product_entity_varchar');
      expect(value?.value.entity).toEqual({ type: 'productRow:product', id: String(cur.row_id), feed: 'products' });
      expect(value?.key).toBe(String(cur.row_id));
      const moves = streamed.filter((r) => r.value.source.table === 'flag');
      expect(moves.map((r) => r.value.entity)).toEqual([{ type: 'stagingVersion', id: `${first}..${second}`, feed: 'products' }]);
    } finally {
      await reader.stop();
      await c.end();
    }
  });
});
