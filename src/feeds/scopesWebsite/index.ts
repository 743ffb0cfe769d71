// scopesWebsite: websites with their store groups and store views.
// Adobe's feed is legacy and keeps is_deleted in its table; here a removed
// website becomes a `deleted: true` item with the minimal payload, so the
// downstream copy forgets it instead of keeping a stale website forever.
import type { FeedDefinition } from '../types.js';
import { scopesWebsiteProvider } from './provider.js';

export const definition: FeedDefinition = {
  name: 'scopesWebsite',
  aliases: ['scopeswebsite', 'websites'],
  identity: ['websiteId'],
  sourceEntity: 'website',
  minimalPayload: ['websiteId', 'websiteCode'],
  hashExclude: [],
  deletedField: 'deleted',
  route: 'scopesWebsite',
  batchSize: 500,
  threads: 2,
  schemaFile: 'schemas/items/scopesWebsite.avsc',
  expandTypes: ['store', 'storeGroup'],
  mode: 'legacy',
  provider: scopesWebsiteProvider,
};
