import type { RowDataPacket } from 'mysql2/promise';
import { select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';

// One query per table per batch of order ids; child rows of invoices, credit memos
// and shipments are read by their parents' ids in a second round.

export type Row = RowDataPacket & Record<string, string | number | null>;

export interface OrderRows {
  orders: Row[];
  uuids: Row[];
  items: Row[];
  payments: Row[];
  addresses: Row[];
  taxes: Row[];
  invoices: Row[];
  invoiceItems: Row[];
  creditMemos: Row[];
  creditMemoItems: Row[];
  creditMemoComments: Row[];
  shipments: Row[];
  shipmentItems: Row[];
  tracks: Row[];
  transactions: Row[];
}

export async function loadOrderRows(ctx: ProviderContext, ids: number[]): Promise<OrderRows> {
  const t = (n: string) => `\`${ctx.t(n)}\``;
  const n = ids.length;
  const q = (what: string, sql: string, params: unknown[]) => select<Row>(ctx, `orders.${what}`, sql, params, n);
  const [orders, uuids, items, payments, addresses, taxes, invoices, creditMemos, shipments, tracks, transactions] = await Promise.all([
    q('orders', `SELECT * FROM ${t('sales_order')} WHERE entity_id IN (?)`, [ids]),
    q('uuids', `SELECT entity_id, uuid FROM ${t('data_exporter_uuid')} WHERE type = 'order' AND entity_id IN (?)`, [ids]),
    q('items', `SELECT * FROM ${t('sales_order_item')} WHERE order_id IN (?)`, [ids]),
    q('payments', `SELECT * FROM ${t('sales_order_payment')} WHERE parent_id IN (?)`, [ids]),
    q('addresses', `SELECT * FROM ${t('sales_order_address')} WHERE parent_id IN (?)`, [ids]),
    q('taxes', `SELECT * FROM ${t('sales_order_tax')} WHERE order_id IN (?)`, [ids]),
    q('invoices', `SELECT * FROM ${t('sales_invoice')} WHERE order_id IN (?)`, [ids]),
    q('creditmemos', `SELECT * FROM ${t('sales_creditmemo')} WHERE order_id IN (?)`, [ids]),
    q('shipments', `SELECT * FROM ${t('sales_shipment')} WHERE order_id IN (?)`, [ids]),
    q('tracks', `SELECT * FROM ${t('sales_shipment_track')} WHERE order_id IN (?)`, [ids]),
    q('transactions', `SELECT * FROM ${t('sales_payment_transaction')} WHERE order_id IN (?)`, [ids]),
  ]);
  const ofParents = (what: string, table: string, parents: Row[]) => {
    const parentIds = parents.map((p) => Number(p.entity_id));
    return parentIds.length ? q(what, `SELECT * FROM ${t(table)} WHERE parent_id IN (?)`, [parentIds]) : Promise.resolve([]);
  };
  const [invoiceItems, creditMemoItems, creditMemoComments, shipmentItems] = await Promise.all([
    ofParents('invoice_items', 'sales_invoice_item', invoices),
    ofParents('creditmemo_items', 'sales_creditmemo_item', creditMemos),
    ofParents('creditmemo_comments', 'sales_creditmemo_comment', creditMemos),
    ofParents('shipment_items', 'sales_shipment_item', shipments),
  ]);
  return {
    orders, uuids, items, payments, addresses, taxes, invoices, invoiceItems, creditMemos, creditMemoItems,
    creditMemoComments, shipments, shipmentItems, tracks, transactions,
  };
}
