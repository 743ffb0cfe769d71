// products: the catalog product per store view, Adobe's products feed shape.
import type { FeedDefinition } from '../types.js';
import { productsProvider } from './provider.js';

export const definition: FeedDefinition = {
  name: 'products',
  aliases: ['product'],
  identity: ['sku', 'storeViewCode'],
  sourceEntity: 'product',
  minimalPayload: ['productId', 'sku', 'storeViewCode', 'storeCode', 'websiteCode', 'modifiedAt'],
  hashExclude: ['modifiedAt', 'updatedAt'],
  deletedField: 'deleted',
  route: 'products',
  batchSize: 500,
  threads: 2,
  schemaFile: 'schemas/items/products.avsc',
  expandTypes: [
    'website',
    'store',
    'storeGroup',
    'category',
    'parentProduct',
    'linkedProduct',
    'productLink',
    'customOption',
    'customOptionValue',
    'mediaGallery',
    'attribute',
    'attributeOption',
    'taxClass',
  ],
  mode: 'immediate',
  provider: productsProvider,
};
