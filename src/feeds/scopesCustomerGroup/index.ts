// scopesCustomerGroup: customer groups and the websites they are not excluded from.
// Legacy in Adobe's terms; a removed group becomes a `deleted: true` item carrying
// its id and code (see scopesWebsite for why).
import type { FeedDefinition } from '../types.js';
import { scopesCustomerGroupProvider } from './provider.js';

export const definition: FeedDefinition = {
  name: 'scopesCustomerGroup',
  aliases: ['scopescustomergroup', 'customergroups'],
  identity: ['customerGroupId'],
  sourceEntity: 'customerGroup',
  minimalPayload: ['customerGroupId', 'customerGroupCode'],
  hashExclude: [],
  deletedField: 'deleted',
  route: 'scopesCustomerGroup',
  batchSize: 500,
  threads: 2,
  schemaFile: 'schemas/items/scopesCustomerGroup.avsc',
  expandTypes: ['website'],
  mode: 'legacy',
  provider: scopesCustomerGroupProvider,
};
