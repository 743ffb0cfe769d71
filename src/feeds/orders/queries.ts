import type { RowDataPacket } from 'mysql2/promise';
import { select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';

// One query per table per batch of order ids; rows hanging off invoices, credit
// memos, shipments and taxes, and the child uuids, are read by their parents' ids
// in a second round.

export type Row = RowDataPacket & Record<string, string | number | null>;

export interface OrderRows {
  orders: Row[];
  /** data_exporter_uuid rows of the orders and of their items, shipments and credit memos */
  uuids: Row[];
  items: Row[];
  payments: Row[];
  addresses: Row[];
  taxes: Row[];
  taxItems: Row[];
  invoices: Row[];
  creditMemos: Row[];
  creditMemoItems: Row[];
  creditMemoComments: Row[];
  shipments: Row[];
  shipmentItems: Row[];
  tracks: Row[];
  transactions: Row[];
}

const ids = (rows: Row[], column: string): number[] => rows.map((r) => Number(r[column]));

export async function loadOrderRows(ctx: ProviderContext, orderIds: number[]): Promise<OrderRows> {
  const t = (n: string) => `\`${ctx.t(n)}\``;
  const q = (what: string, sql: string, params: unknown[]) => select<Row>(ctx, `orders.${what}`, sql, params, orderIds.length);
  const byOrder = (what: string, table: string, column = 'order_id') =>
    q(what, `SELECT * FROM ${t(table)} WHERE ${column} IN (?)`, [orderIds]);
  const [orders, items, payments, addresses, taxes, invoices, creditMemos, shipments, tracks, transactions] = await Promise.all([
    byOrder('orders', 'sales_order', 'entity_id'),
    byOrder('items', 'sales_order_item'),
    byOrder('payments', 'sales_order_payment', 'parent_id'),
    byOrder('addresses', 'sales_order_address', 'parent_id'),
    byOrder('taxes', 'sales_order_tax'),
    byOrder('invoices', 'sales_invoice'),
    byOrder('creditmemos', 'sales_creditmemo'),
    byOrder('shipments', 'sales_shipment'),
    byOrder('tracks', 'sales_shipment_track'),
    byOrder('transactions', 'sales_payment_transaction'),
  ]);
  const ofParents = (what: string, table: string, parentIds: number[], column = 'parent_id') =>
    parentIds.length ? q(what, `SELECT * FROM ${t(table)} WHERE ${column} IN (?)`, [parentIds]) : Promise.resolve([]);
  // IN (NULL) matches nothing: an empty list stays valid SQL
  const orNone = (list: number[]) => (list.length ? list : [null]);
  const [creditMemoItems, creditMemoComments, shipmentItems, taxItems, uuids] = await Promise.all([
    ofParents('creditmemo_items', 'sales_creditmemo_item', ids(creditMemos, 'entity_id')),
    ofParents('creditmemo_comments', 'sales_creditmemo_comment', ids(creditMemos, 'entity_id')),
    ofParents('shipment_items', 'sales_shipment_item', ids(shipments, 'entity_id')),
    ofParents('tax_items', 'sales_order_tax_item', ids(taxes, 'tax_id'), 'tax_id'),
    q(
      'uuids',
      `SELECT type, entity_id, uuid FROM ${t('data_exporter_uuid')}
        WHERE (type = 'order' AND entity_id IN (?)) OR (type = 'order_item' AND entity_id IN (?))
           OR (type = 'order_shipment' AND entity_id IN (?)) OR (type = 'credit_memo' AND entity_id IN (?))`,
      [orderIds, orNone(ids(items, 'item_id')), orNone(ids(shipments, 'entity_id')), orNone(ids(creditMemos, 'entity_id'))],
    ),
  ]);
  return {
    orders, uuids, items, payments, addresses, taxes, taxItems, invoices, creditMemos, creditMemoItems,
    creditMemoComments, shipments, shipmentItems, tracks, transactions,
  };
}
