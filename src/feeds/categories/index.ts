import type { FeedDefinition } from '../types.js';
import { categoriesProvider } from './provider.js';

export const definition: FeedDefinition = {
  name: 'categories',
  aliases: ['categories'],
  identity: ['urlPath', 'storeViewCode'],
  sourceEntity: 'category',
  minimalPayload: ['categoryId', 'storeViewCode', 'storeCode', 'websiteCode', 'urlPath', 'modifiedAt'],
  hashExclude: ['modifiedAt', 'updatedAt'],
  deletedField: 'deleted',
  route: 'categories',
  batchSize: 500,
  threads: 2,
  schemaFile: 'schemas/items/categories.avsc',
  expandTypes: ['store', 'storeGroup', 'stagingVersion'],
  mode: 'immediate',
  provider: categoriesProvider,
};
