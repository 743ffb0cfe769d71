import type { FeedDefinition } from '../types.js';
import { productOverridesProvider } from './provider.js';

// Adobe Commerce (EE) feed whose exporter is not public: shape defined in commerce-feeds.md §6.
export const definition: FeedDefinition = {
  name: 'productOverrides',
  aliases: ['productoverrides'],
  identity: ['sku', 'websiteCode', 'customerGroupCode'],
  sourceEntity: 'product',
  minimalPayload: ['productId', 'sku', 'websiteCode', 'customerGroupCode', 'modifiedAt'],
  hashExclude: ['modifiedAt', 'updatedAt'],
  deletedField: 'deleted',
  route: 'productOverrides',
  batchSize: 500,
  threads: 2,
  schemaFile: 'schemas/items/productOverrides.avsc',
  expandTypes: ['category', 'store', 'website', 'stagingVersion'],
  mode: 'immediate',
  provider: productOverridesProvider,
};
