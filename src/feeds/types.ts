import type { Pool } from '../mysql/pool.js';
import type { Logger } from '../log.js';
import type { CatalogModel } from './common/link.js';

// A feed is data plus a provider: identity fields, an Avro item schema
// (schemas/items/<feed>.avsc), a source-table mapping (connectors/commerce.yaml)
// and one provider module that turns source entity ids into items.

export const FEED_NAMES = [
  'products',
  'productAttributes',
  'categories',
  'variants',
  'prices',
  'categoryPermissions',
  'productOverrides',
  'inventoryStockStatus',
  'scopesWebsite',
  'scopesCustomerGroup',
  'orders',
] as const;
export type FeedName = (typeof FEED_NAMES)[number];

/** A feed item as sent downstream: a JSON object in the Adobe feed shape. */
export type FeedItem = Record<string, unknown>;

/** One assembled item with what the exporter needs around it. */
export interface AssembledItem {
  /** The source entity id this item belongs to (partitioning, deletes). */
  sourceEntityId: string;
  item: FeedItem;
}

export interface ProviderContext {
  db: Pool;
  log: Logger;
  /** Magento table prefix; every table name goes through `t()`. */
  t: (table: string) => string;
  /** The edition's link field (row_id with content staging, entity_id without): src/feeds/common/link.ts. */
  catalog: CatalogModel;
  /** Now, for modifiedAt/updatedAt and date-dependent rules (catalog rule prices); injectable for tests. */
  now: () => Date;
  /** EXPORTER_PROFILER=1: providers report per-query timings through this. */
  profile: (what: string, entities: number, ms: number) => void;
}

export interface FeedProvider {
  /**
   * Items for these source entity ids (a batch of at most batchSize): every identity
   * that exists now. Ids whose entity is gone, or items no longer produced for an id,
   * are turned into deleted items by the exporter from the stored state.
   */
  assemble(ids: string[], ctx: ProviderContext): Promise<AssembledItem[]>;
  /**
   * Source entity ids of events that name another entity (`entity.type` other than the
   * feed's sourceEntity): one query returns the affected source entity ids.
   */
  expand?(entityType: string, ids: string[], ctx: ProviderContext): Promise<string[]>;
  /** All source entity ids in ascending order after `afterId` (for resync/snapshot), at most `limit`. */
  listIds(afterId: string | undefined, limit: number, ctx: ProviderContext): Promise<string[]>;
}

export interface FeedDefinition {
  name: FeedName;
  /** Accepted spellings on the CLI besides `name` (lower-case aliases as Adobe accepts). */
  aliases: string[];
  /** Adobe's feedItemIdentifiers, in order: feed_id = sha1(values joined by NUL). */
  identity: string[];
  /** The entity type that owns the feed's items (partition key), e.g. 'product'. */
  sourceEntity: string;
  /** Fields kept for the deleted item's minimal payload. */
  minimalPayload: string[];
  /** Fields left out of the hash (modifiedAt/updatedAt, and per feed, e.g. productId for inventory). */
  hashExclude: string[];
  /** Name of the boolean field that marks a deleted item ('deleted'); undefined when entities are not removable. */
  deletedField: string | undefined;
  /** Downstream route (POST <baseUrl>/<route>). */
  route: string;
  /** Default provider batch size and threads (Adobe: 100 and 1; prices 500). */
  batchSize: number;
  threads: number;
  /** Avro schema file of the item record, relative to the repo root. */
  schemaFile: string;
  /** Entity types other than sourceEntity that provider.expand() turns into source entity ids. */
  expandTypes: string[];
  /** Immediate (catalog, inventory) or legacy (scopes, orders) in Adobe's terms. */
  mode: 'immediate' | 'legacy';
  provider: FeedProvider;
}
