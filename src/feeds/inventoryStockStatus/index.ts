import type { FeedDefinition } from '../types.js';
import { inventoryStockStatusProvider } from './provider.js';

export const definition: FeedDefinition = {
  name: 'inventoryStockStatus',
  aliases: ['inventorystockstatus'],
  identity: ['stockId', 'sku'],
  sourceEntity: 'product',
  minimalPayload: ['stockId', 'sku', 'productId', 'updatedAt'],
  // productId is left out of the hash as in Adobe's feed: a sku re-created under a new id is the same item.
  hashExclude: ['modifiedAt', 'updatedAt', 'productId'],
  deletedField: 'deleted',
  route: 'inventoryStockStatus',
  batchSize: 500,
  threads: 2,
  schemaFile: 'schemas/items/inventoryStockStatus.avsc',
  expandTypes: ['sku', 'stock', 'stagingVersion'],
  mode: 'immediate',
  provider: inventoryStockStatusProvider,
};
