import type { FeedDefinition } from '../types.js';
import { variantsProvider } from './provider.js';

export const definition: FeedDefinition = {
  name: 'variants',
  aliases: ['variants', 'productvariants'],
  identity: ['parentSku', 'productSku'],
  sourceEntity: 'product',
  minimalPayload: ['id', 'parentId', 'productId', 'parentSku', 'productSku', 'modifiedAt'],
  hashExclude: ['modifiedAt', 'updatedAt'],
  deletedField: 'deleted',
  route: 'variants',
  batchSize: 500,
  threads: 2,
  schemaFile: 'schemas/items/variants.avsc',
  expandTypes: ['parentProduct', 'attributeOption', 'attribute', 'stagingVersion'],
  mode: 'immediate',
  provider: variantsProvider,
};
