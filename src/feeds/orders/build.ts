import { toNumber } from '../common/sql.js';
import type { StoreView } from '../common/stores.js';
import type { AssembledItem } from '../types.js';
import {
  additionalInformation, address, creditMemo, groupBy, invoice, orderItem, payment, shipment, tax, transaction,
} from './parts.js';
import type { OrderRows } from './queries.js';
import { orderUuid } from './uuid.js';

// One item per order (Adobe OrderV2 in spirit: its exact field list is the
// SalesOrdersDataExporter et_schema). Nested arrays are sorted by their row ids.

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function buildOrderItems(rows: OrderRows, views: StoreView[]): AssembledItem[] {
  const stores = new Map(views.map((v) => [v.storeId, v]));
  const uuids = new Map(rows.uuids.map((u) => [String(u.entity_id), String(u.uuid)]));
  const items = groupBy(rows.items, 'order_id', 'item_id');
  const payments = groupBy(rows.payments, 'parent_id', 'entity_id');
  const addresses = groupBy(rows.addresses, 'parent_id', 'entity_id');
  const taxes = groupBy(rows.taxes, 'order_id', 'tax_id');
  const invoices = groupBy(rows.invoices, 'order_id', 'entity_id');
  const invoiceItems = groupBy(rows.invoiceItems, 'parent_id', 'entity_id');
  const creditMemos = groupBy(rows.creditMemos, 'order_id', 'entity_id');
  const creditMemoItems = groupBy(rows.creditMemoItems, 'parent_id', 'entity_id');
  const comments = groupBy(rows.creditMemoComments, 'parent_id', 'entity_id');
  const shipments = groupBy(rows.shipments, 'order_id', 'entity_id');
  const shipmentItems = groupBy(rows.shipmentItems, 'parent_id', 'entity_id');
  const tracks = groupBy(rows.tracks, 'parent_id', 'entity_id');
  const transactions = groupBy(rows.transactions, 'order_id', 'transaction_id');

  const orders = [...rows.orders].sort((a, b) => Number(a.entity_id) - Number(b.entity_id));
  return orders.map((o) => {
    const id = String(o.entity_id);
    const store = o.store_id === null ? undefined : stores.get(Number(o.store_id));
    const orderAddresses = addresses.get(id) ?? [];
    const pay = (payments.get(id) ?? [])[0];
    return {
      sourceEntityId: id,
      item: {
        orderId: uuids.get(id) ?? orderUuid(id),
        commerceOrderId: id,
        commerceOrderNumber: str(o.increment_id),
        externalId: str(o.ext_order_id),
        createdAt: str(o.created_at),
        updatedAt: str(o.updated_at),
        state: str(o.state),
        status: str(o.status),
        currency: str(o.base_currency_code),
        grandTotal: toNumber(o.base_grand_total),
        subtotal: toNumber(o.base_subtotal),
        subtotalInclTax: toNumber(o.base_subtotal_incl_tax),
        shippingAmount: toNumber(o.base_shipping_amount),
        taxAmount: toNumber(o.base_tax_amount),
        discountAmount: toNumber(o.base_discount_amount),
        totalInvoiced: toNumber(o.base_total_invoiced),
        totalPaid: toNumber(o.base_total_paid),
        totalRefunded: toNumber(o.base_total_refunded),
        totalDue: toNumber(o.base_total_due),
        totalQtyOrdered: toNumber(o.total_qty_ordered),
        couponCode: str(o.coupon_code),
        storeViewCode: store?.storeViewCode ?? null,
        storeCode: store?.storeCode ?? null,
        websiteCode: store?.websiteCode ?? null,
        customerId: str(o.customer_id),
        customerEmail: str(o.customer_email),
        customerIsGuest: o.customer_is_guest === null ? null : Number(o.customer_is_guest) === 1,
        payment: payment(pay),
        billingAddress: address(orderAddresses.find((a) => a.address_type === 'billing')),
        shipping: {
          method: str(o.shipping_method),
          description: str(o.shipping_description),
          amount: toNumber(o.base_shipping_amount),
          address: address(orderAddresses.find((a) => a.address_type === 'shipping')),
        },
        items: (items.get(id) ?? []).map(orderItem),
        taxes: (taxes.get(id) ?? []).map(tax),
        invoices: (invoices.get(id) ?? []).map((i) => invoice(i, invoiceItems.get(String(i.entity_id)) ?? [])),
        creditMemos: (creditMemos.get(id) ?? []).map((c) =>
          creditMemo(c, creditMemoItems.get(String(c.entity_id)) ?? [], comments.get(String(c.entity_id)) ?? []),
        ),
        shipments: (shipments.get(id) ?? []).map((s) =>
          shipment(s, shipmentItems.get(String(s.entity_id)) ?? [], tracks.get(String(s.entity_id)) ?? []),
        ),
        transactions: (transactions.get(id) ?? []).map(transaction),
        additionalInformation: additionalInformation(pay),
      },
    };
  });
}
