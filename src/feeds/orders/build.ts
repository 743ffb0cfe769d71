import { toNumber } from '../common/sql.js';
import type { StoreView } from '../common/stores.js';
import type { AssembledItem } from '../types.js';
import {
  additionalInformation, address, creditMemo, flag, groupBy, invoice, orderItem, paymentInfo, rfc3339, shipment, str,
  transaction, type Tax, type UuidOf,
} from './parts.js';
import type { OrderRows } from './queries.js';
import { entityUuid, type UuidType } from './uuid.js';

// One item per order in Adobe's OrderV2 shape (SalesOrdersDataExporter et_schema and
// query.xml). Two deliberate differences: every amount is the base-currency column,
// with the base currency code (Adobe mixes subtotal/order currency into grandTotal);
// customerId is added. Orders without a stored uuid are sent with a derived one
// instead of being skipped. Nested arrays are sorted by their row ids.

/** Adobe's order state codes (Provider/State.php); unknown states are 0. */
const STATES: Record<string, number> = {
  new: 1, pending_payment: 2, processing: 3, complete: 4, closed: 5, canceled: 6, holded: 7, payment_review: 8,
};

export function buildOrderItems(rows: OrderRows, views: StoreView[]): AssembledItem[] {
  const stores = new Map(views.map((v) => [v.storeId, v]));
  const stored = new Map(rows.uuids.map((u) => [`${u.type}/${u.entity_id}`, String(u.uuid)]));
  const uuidOf: UuidOf = (type: UuidType, id) => ({ id: stored.get(`${type}/${id}`) ?? entityUuid(type, String(id)) });
  const items = groupBy(rows.items, 'order_id', 'item_id');
  const payments = groupBy(rows.payments, 'parent_id', 'entity_id');
  const addresses = groupBy(rows.addresses, 'parent_id', 'entity_id');
  const invoices = groupBy(rows.invoices, 'order_id', 'entity_id');
  const creditMemos = groupBy(rows.creditMemos, 'order_id', 'entity_id');
  const creditMemoItems = groupBy(rows.creditMemoItems, 'parent_id', 'entity_id');
  const comments = groupBy(rows.creditMemoComments, 'parent_id', 'entity_id');
  const shipments = groupBy(rows.shipments, 'order_id', 'entity_id');
  const shipmentItems = groupBy(rows.shipmentItems, 'parent_id', 'entity_id');
  const tracks = groupBy(rows.tracks, 'parent_id', 'entity_id');
  const transactions = groupBy(rows.transactions, 'order_id', 'transaction_id');
  const taxes = groupBy(rows.taxes, 'order_id', 'tax_id');
  const taxById = new Map(rows.taxes.map((t) => [String(t.tax_id), t]));
  const taxItems = groupBy(rows.taxItems, 'tax_id', 'tax_item_id');
  const itemTaxes = new Map<string, Tax[]>();
  for (const ti of [...rows.taxItems].sort((a, b) => Number(a.tax_item_id) - Number(b.tax_item_id))) {
    if (ti.item_id === null) continue;
    const list = itemTaxes.get(String(ti.item_id)) ?? [];
    itemTaxes.set(String(ti.item_id), list);
    list.push({ taxName: str(taxById.get(String(ti.tax_id))?.title), taxType: str(ti.taxable_item_type), taxAmount: toNumber(ti.base_amount) });
  }
  // an order's taxes by the kinds of line they were applied to (product, shipping)
  const refundTaxes = (orderId: string): Tax[] =>
    (taxes.get(orderId) ?? []).flatMap((t) =>
      [...new Set((taxItems.get(String(t.tax_id)) ?? []).map((ti) => String(ti.taxable_item_type)))]
        .sort()
        .map((type) => ({ taxName: str(t.title), taxType: type, taxAmount: toNumber(t.base_amount) })),
    );

  const orders = [...rows.orders].sort((a, b) => Number(a.entity_id) - Number(b.entity_id));
  return orders.map((o) => {
    const id = String(o.entity_id);
    const store = o.store_id === null ? undefined : stores.get(Number(o.store_id));
    const orderAddresses = addresses.get(id) ?? [];
    const pay = (payments.get(id) ?? [])[0];
    const methodTitle = paymentInfo(pay).method_title;
    return {
      sourceEntityId: id,
      item: {
        orderId: uuidOf('order', id),
        commerceOrderId: id,
        commerceOrderNumber: str(o.increment_id),
        externalId: { id, salesChannel: 'magento' },
        createdAt: rfc3339(o.created_at),
        updatedAt: rfc3339(o.updated_at),
        state: o.state === null ? null : (STATES[String(o.state)] ?? 0),
        status: str(o.status),
        totalInvoiced: toNumber(o.base_total_invoiced),
        totalQtyOrdered: toNumber(o.total_qty_ordered),
        isVirtual: flag(o.is_virtual),
        grandTotal: toNumber(o.base_grand_total),
        currency: str(o.base_currency_code),
        amountCapturedOnline: toNumber(pay?.base_amount_paid_online),
        amountRefundedOnline: toNumber(pay?.base_amount_refunded_online),
        amountAuthorized: toNumber(pay?.base_amount_authorized),
        amountPaid: toNumber(pay?.base_amount_paid),
        amountRefunded: toNumber(pay?.base_amount_refunded),
        amountCanceled: toNumber(pay?.base_amount_canceled),
        storeViewCode: store?.storeViewCode ?? null,
        storeCode: store?.storeCode ?? null,
        websiteCode: store?.websiteCode ?? null,
        storeId: o.store_id === null ? null : Number(o.store_id),
        customerEmail: str(o.customer_email),
        customerId: str(o.customer_id),
        customerNote: str(o.customer_note),
        payment: {
          billingAddress: address(orderAddresses.find((a) => a.address_type === 'billing')),
          paymentMethodName: typeof methodTitle === 'string' ? methodTitle : null,
          paymentMethodCode: str(pay?.method),
          totalAmount: toNumber(o.base_subtotal),
          taxAmount: toNumber(o.base_tax_amount),
          currency: str(o.base_currency_code),
        },
        shipping: {
          shippingAddress: address(orderAddresses.find((a) => a.address_type === 'shipping')),
          shippingMethodName: str(o.shipping_description),
          shippingMethodCode: str(o.shipping_method),
          shippingAmount: toNumber(o.base_shipping_amount),
          shippingTax: toNumber(o.base_shipping_tax_amount),
        },
        items: (items.get(id) ?? []).map((i) => orderItem(i, uuidOf)),
        invoices: (invoices.get(id) ?? []).map(invoice),
        creditMemos: (creditMemos.get(id) ?? []).map((c) =>
          creditMemo(
            c,
            creditMemoItems.get(String(c.entity_id)) ?? [],
            comments.get(String(c.entity_id)) ?? [],
            refundTaxes(id),
            (itemId) => itemTaxes.get(itemId) ?? [],
            uuidOf,
          ),
        ),
        transactions: (transactions.get(id) ?? []).map(transaction),
        shipments: (shipments.get(id) ?? []).map((s) =>
          shipment(s, shipmentItems.get(String(s.entity_id)) ?? [], tracks.get(String(s.entity_id)) ?? [], str(o.shipping_method), uuidOf),
        ),
        additionalInformation: additionalInformation(pay),
      },
    };
  });
}
