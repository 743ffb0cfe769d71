// productAttributes: catalog product attribute metadata per store view.
import type { FeedDefinition } from '../types.js';
import { productAttributesProvider } from './provider.js';

export const definition: FeedDefinition = {
  name: 'productAttributes',
  aliases: ['productattributes'],
  identity: ['attributeCode', 'storeViewCode'],
  sourceEntity: 'attribute',
  minimalPayload: ['websiteCode', 'storeCode', 'storeViewCode', 'attributeCode', 'attributeType', 'modifiedAt'],
  hashExclude: ['modifiedAt'],
  deletedField: 'deleted',
  route: 'productAttributes',
  batchSize: 500,
  threads: 2,
  schemaFile: 'schemas/items/productAttributes.avsc',
  expandTypes: ['store', 'attributeOption'],
  mode: 'immediate',
  provider: productAttributesProvider,
};
