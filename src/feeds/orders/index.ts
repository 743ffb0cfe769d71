import type { FeedDefinition } from '../types.js';
import { ordersProvider } from './provider.js';

export const definition: FeedDefinition = {
  name: 'orders',
  aliases: ['orders', 'salesorders'],
  identity: ['commerceOrderId'],
  sourceEntity: 'order',
  minimalPayload: ['orderId', 'commerceOrderId', 'commerceOrderNumber', 'updatedAt'],
  hashExclude: ['modifiedAt', 'updatedAt'],
  // Adobe: entitiesRemovable = false; an order is never sent as deleted.
  deletedField: undefined,
  route: 'orders',
  batchSize: 500,
  threads: 2,
  schemaFile: 'schemas/items/orders.avsc',
  expandTypes: ['invoice', 'creditMemo', 'shipment', 'orderItem', 'tax', 'store', 'storeGroup', 'website'],
  mode: 'legacy',
  provider: ordersProvider,
};
