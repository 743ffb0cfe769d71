// Admin SQL and staging moves for feed tests that run on both editions: value and
// relation tables are keyed by the link field (entity_id on Open Source, the current
// version's row_id on Adobe Commerce), and Commerce's staging cron moves the current
// version in the `flag` row 'staging'.
import { expect, it } from 'vitest';
import { MAX_VERSION, catalogModel, currentOnly, type Edition } from '../../src/feeds/common/link.js';
import type { FeedProvider } from '../../src/feeds/types.js';
import type { FeedDatabase } from './feeds.js';
import { adminConnection } from './stack.js';

export const EDITIONS = ['opensource', 'commerce'] as const satisfies readonly Edition[];

type Linked = 'product' | 'category';

const noPrefix = { t: (table: string) => table };

/** The link column of the value tables: entity_id or row_id. */
export const linkColumn = (edition: Edition): 'entity_id' | 'row_id' => catalogModel(edition).product.column;

/** SQL giving the link value of `id`'s current version: the id itself on Open Source. */
export function linkOf(edition: Edition, linked: Linked, id: number | string): string {
  const link = catalogModel(edition)[linked];
  if (!link.staged) return String(id);
  return `(SELECT e.row_id FROM ${link.entityTable} e WHERE e.entity_id = ${Number(id)}${currentOnly(noPrefix, link, 'e')})`;
}

/** Statements that allocate new entity ids as Adobe Commerce does (sequence rows); '' on Open Source. */
export function sequenceRows(edition: Edition, linked: Linked, ids: number[]): string {
  const link = catalogModel(edition)[linked];
  if (!link.staged) return '';
  return `INSERT INTO ${link.sequenceTable} (sequence_value) VALUES ${ids.map((id) => `(${id})`).join(', ')};`;
}

/**
 * `[columns, values]` to append to an entity table INSERT of a new entity: on Adobe Commerce an
 * explicit row_id far from the entity id (the seed's base rows have row_id = entity_id, which
 * would hide a query that reads the wrong column), nothing on Open Source.
 */
export function newRow(edition: Edition, id: number): [string, string] {
  return edition === 'commerce' ? [', row_id', `, ${id + 1000}`] : ['', ''];
}

/** Moves the current version as Commerce's staging cron does: the flag row 'staging'. */
export async function setCurrentVersion(database: string, version: number): Promise<void> {
  const c = await adminConnection(database);
  try {
    const data = JSON.stringify({ current_version: String(version) });
    const [res] = await c.query(`UPDATE flag SET flag_data = ? WHERE flag_code = 'staging'`, [data]);
    if ((res as { affectedRows: number }).affectedRows === 0) {
      await c.query(`INSERT INTO flag (flag_code, state, flag_data) VALUES ('staging', 0, ?)`, [data]);
    }
  } finally {
    await c.end();
  }
}

/** A versioned entity of the seed: its entity id and the version ids where its rows start (ascending, 1 first). */
export interface Versioned {
  entityId: number;
  starts: number[];
}

/** Entities of `linked` with more than one version row (the seed's scheduled updates), optionally of one product type. */
export async function versionedEntities(database: string, linked: Linked, typeId?: string): Promise<Versioned[]> {
  const link = catalogModel('commerce')[linked];
  const c = await adminConnection(database);
  try {
    const [rows] = await c.query(
      `SELECT entity_id, GROUP_CONCAT(created_in ORDER BY created_in) AS starts FROM ${link.entityTable}
        ${typeId === undefined ? '' : 'WHERE type_id = ?'} GROUP BY entity_id HAVING COUNT(*) > 1 ORDER BY entity_id`,
      typeId === undefined ? [] : [typeId],
    );
    return (rows as Array<{ entity_id: number; starts: string }>).map((r) => ({
      entityId: Number(r.entity_id),
      starts: r.starts.split(',').map(Number),
    }));
  } finally {
    await c.end();
  }
}

/** The version just before `version`: the latest start or end of any version row below it, else 1. */
export async function previousVersion(database: string, version: number): Promise<number> {
  const c = await adminConnection(database);
  try {
    const [rows] = await c.query(
      `SELECT MAX(v) AS v FROM (
         SELECT created_in AS v FROM catalog_product_entity UNION SELECT updated_in FROM catalog_product_entity
         UNION SELECT created_in FROM catalog_category_entity UNION SELECT updated_in FROM catalog_category_entity) b
        WHERE v < ?`,
      [version],
    );
    const v = (rows as Array<{ v: string | number | null }>)[0]?.v;
    return v === null || v === undefined ? 1 : Number(v);
  } finally {
    await c.end();
  }
}

/**
 * The test of a feed whose items no scheduled update changes: a move over every version
 * re-checks exactly the seed's versioned entities of `linked` (none on Open Source), and
 * moving the current version to each of their starts leaves their items as they were.
 * The current version is back at 1 afterwards.
 */
export function itKeepsItemsThroughVersionMoves(
  name: string,
  edition: Edition,
  linked: Linked,
  provider: FeedProvider,
  feed: FeedDatabase,
): void {
  it(name, async () => {
    const { db, ctx } = feed;
    const versioned = edition === 'commerce' ? await versionedEntities(db, linked) : [];
    if (edition === 'commerce') expect(versioned.length).toBeGreaterThan(0);
    const ids = versioned.map((v) => String(v.entityId));
    expect(await provider.expand!('stagingVersion', [`1..${MAX_VERSION - 1}`], ctx)).toEqual(ids);
    const before = await provider.assemble(ids, ctx);
    for (const version of new Set(versioned.flatMap((v) => v.starts))) {
      await setCurrentVersion(db, version);
      expect(await provider.assemble(ids, ctx)).toEqual(before);
    }
    await setCurrentVersion(db, 1);
  });
}

/**
 * Collects each edition's items of the seeded catalog; on Adobe Commerce expects them equal, byte
 * for byte, to Open Source's (EDITIONS runs Open Source first): a scheduled update that has not
 * started shows nowhere.
 */
export function seededItemsPerEdition(): (edition: Edition, items: unknown) => void {
  const seeded = new Map<Edition, string>();
  return (edition, items) => {
    seeded.set(edition, JSON.stringify(items));
    if (edition === 'commerce') expect(seeded.get('commerce')).toBe(seeded.get('opensource'));
  };
}
