import type { FeedDefinition } from '../types.js';
import { pricesProvider } from './provider.js';

export const definition: FeedDefinition = {
  name: 'prices',
  aliases: ['prices', 'productprices'],
  identity: ['sku', 'customerGroupCode', 'websiteCode'],
  sourceEntity: 'product',
  minimalPayload: ['websiteId', 'productId', 'sku', 'customerGroupCode', 'websiteCode', 'updatedAt'],
  hashExclude: ['modifiedAt', 'updatedAt'],
  deletedField: 'deleted',
  route: 'prices',
  // Adobe's prices default is 500 per batch; items are small, so a bigger batch keeps the DB round trips down.
  batchSize: 1000,
  threads: 2,
  schemaFile: 'schemas/items/prices.avsc',
  expandTypes: ['website', 'customerGroup', 'parentProduct', 'stagingVersion'],
  mode: 'immediate',
  provider: pricesProvider,
};
