import type { FeedDefinition } from '../types.js';
import { categoryPermissionsProvider } from './provider.js';

// Adobe Commerce (EE) feed whose exporter is not public: shape defined in commerce-feeds.md §6.
export const definition: FeedDefinition = {
  name: 'categoryPermissions',
  aliases: ['categorypermissions'],
  identity: ['categoryId', 'websiteCode', 'customerGroupCode'],
  sourceEntity: 'category',
  minimalPayload: ['categoryId', 'websiteCode', 'customerGroupCode', 'modifiedAt'],
  hashExclude: ['modifiedAt', 'updatedAt'],
  deletedField: 'deleted',
  route: 'categoryPermissions',
  batchSize: 500,
  threads: 2,
  schemaFile: 'schemas/items/categoryPermissions.avsc',
  expandTypes: ['categoryTree', 'website', 'customerGroup', 'stagingVersion'],
  mode: 'immediate',
  provider: categoryPermissionsProvider,
};
