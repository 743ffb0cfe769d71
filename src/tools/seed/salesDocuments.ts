// Payment, taxes, invoice, shipment and credit memo of an order, according to its state.
import type { BatchWriter } from './writer.js';
import { TAX_RATE, inclTax, money, type Line, type Order, type SalesIds, type Value } from './orderModel.js';

export async function writePayment(w: BatchWriter, order: Order, ids: SalesIds): Promise<void> {
  const { id, method, state, invoiced, refunded, grand, shipping } = order;
  await w.row('sales_order_payment', ['entity_id', 'parent_id', 'base_shipping_amount', 'shipping_amount', 'amount_paid', 'base_amount_paid', 'amount_ordered', 'base_amount_ordered', 'amount_refunded', 'base_amount_refunded', 'method', 'po_number', 'cc_type', 'cc_last_4', 'last_trans_id', 'additional_information'], [
    id, id, money(shipping), money(shipping), invoiced ? money(grand) : null, invoiced ? money(grand) : null, money(grand), money(grand),
    refunded ? money(grand) : null, refunded ? money(grand) : null, method, method === 'purchaseorder' ? `PO-${id}` : null,
    method === 'braintree' ? 'VI' : null, method === 'braintree' ? String(1000 + (id % 9000)) : null,
    method === 'braintree' && state !== 'new' ? `bt-${id}-${invoiced ? 'capture' : 'auth'}` : null,
    JSON.stringify({ method_title: method === 'checkmo' ? 'Check / Money order' : method === 'braintree' ? 'Credit Card' : 'Purchase Order' }),
  ]);
  // offline methods write no transactions; the card gateway authorizes, captures on invoice and refunds on credit memo
  if (method !== 'braintree' || state === 'new') return;
  const txn = (type: string, parent: string | null, closed: number) => w.row('sales_payment_transaction', ['transaction_id', 'parent_id', 'order_id', 'payment_id', 'txn_id', 'parent_txn_id', 'txn_type', 'is_closed', 'created_at'], [
    ids.txn++, null, id, id, `bt-${id}-${type}`, parent, type === 'auth' ? 'authorization' : type, closed, order.created,
  ]);
  await txn('auth', null, invoiced ? 1 : 0);
  if (invoiced) await txn('capture', `bt-${id}-auth`, refunded ? 1 : 0);
  if (refunded) await txn('refund', `bt-${id}-capture`, 1);
}

export async function writeTaxes(w: BatchWriter, order: Order, ids: SalesIds): Promise<void> {
  if (order.tax === 0) return;
  const taxId = ids.tax++;
  await w.row('sales_order_tax', ['tax_id', 'order_id', 'code', 'title', 'percent', 'amount', 'priority', 'position', 'base_amount', 'process', 'base_real_amount'], [
    taxId, order.id, 'US-TX-*-Rate 1', 'US-TX-*-Rate 1', money(TAX_RATE * 100), money(order.tax), 0, 0, money(order.tax), 0, money(order.tax),
  ]);
  for (const l of order.priced) {
    await w.row('sales_order_tax_item', ['tax_id', 'item_id', 'tax_percent', 'amount', 'base_amount', 'real_amount', 'real_base_amount', 'associated_item_id', 'taxable_item_type'], [
      taxId, l.itemId, money(TAX_RATE * 100), money(l.tax), money(l.tax), money(l.tax), money(l.tax), null, 'product',
    ]);
  }
}

const DOC_COLS = ['entity_id', 'store_id', 'order_id', 'base_grand_total', 'grand_total', 'base_subtotal', 'subtotal', 'base_subtotal_incl_tax', 'subtotal_incl_tax', 'base_tax_amount', 'tax_amount', 'base_shipping_amount', 'shipping_amount', 'base_shipping_tax_amount', 'shipping_tax_amount', 'base_discount_amount', 'discount_amount', 'base_to_global_rate', 'base_to_order_rate', 'store_to_base_rate', 'store_to_order_rate'];
const DOC_ITEM_COLS = ['entity_id', 'parent_id', 'base_price', 'tax_amount', 'base_row_total', 'row_total', 'base_tax_amount', 'qty', 'price', 'price_incl_tax', 'row_total_incl_tax', 'product_id', 'order_item_id', 'sku', 'name'];
const CURRENCIES = ['USD', 'USD', 'USD', 'USD'];

/** Invoices and credit memos cover the whole order: their totals are the order's. */
function totals(order: Order, id: number): Value[] {
  const { subtotal, tax, shipping, grand } = order;
  return [
    id, order.store.id, order.id, money(grand), money(grand), money(subtotal), money(subtotal), money(subtotal + tax), money(subtotal + tax),
    money(tax), money(tax), money(shipping), money(shipping), money(0), money(0), money(0), money(0), money(1), money(1), money(0), money(0),
  ];
}

function docItem(id: number, parent: number, l: Line): Value[] {
  return [
    id, parent, money(l.price), money(l.tax), money(l.price * l.qty), money(l.price * l.qty), money(l.tax), money(l.qty), money(l.price),
    money(inclTax(l)), money(l.price * l.qty + l.tax), l.product.id, l.itemId, l.product.sku, l.product.name,
  ];
}

/** Writes the order's invoice, shipment and credit memo as its state implies; returns their ids. */
export async function writeDocuments(w: BatchWriter, order: Order, ids: SalesIds): Promise<{ invoiceId: number | null; shipmentId: number | null; memoId: number | null }> {
  const { id, incrementId, created, updated, billingId, shippingId, method } = order;
  let invoiceId: number | null = null;
  if (order.invoiced) {
    invoiceId = ids.invoice++;
    await w.row('sales_invoice', [...DOC_COLS, 'total_qty', 'state', 'billing_address_id', 'shipping_address_id', 'transaction_id', 'order_currency_code', 'base_currency_code', 'global_currency_code', 'store_currency_code', 'increment_id', 'created_at', 'updated_at'], [
      ...totals(order, invoiceId), money(order.qtyOrdered), 2, billingId, shippingId, method === 'braintree' ? `bt-${id}-capture` : null, ...CURRENCIES, incrementId, created, updated,
    ]);
    for (const l of order.priced) await w.row('sales_invoice_item', DOC_ITEM_COLS, docItem(ids.invoiceItem++, invoiceId, l));
  }
  let shipmentId: number | null = null;
  if (order.shipped) {
    shipmentId = ids.shipment++;
    await w.row('sales_shipment', ['entity_id', 'store_id', 'total_weight', 'total_qty', 'order_id', 'customer_id', 'shipping_address_id', 'billing_address_id', 'increment_id', 'created_at', 'updated_at'], [
      shipmentId, order.store.id, money(order.qtyOrdered), money(order.qtyOrdered), id, order.customerId, shippingId, billingId, incrementId, created, updated,
    ]);
    for (const l of order.priced) {
      if (l.product.type !== 'simple' && l.product.type !== 'configurable') continue;
      await w.row('sales_shipment_item', ['entity_id', 'parent_id', 'row_total', 'price', 'weight', 'qty', 'product_id', 'order_item_id', 'name', 'sku'], [
        ids.shipmentItem++, shipmentId, money(l.price * l.qty), money(l.price), money(1), money(l.qty), l.product.id, l.itemId, l.product.name, l.product.sku,
      ]);
    }
    await w.row('sales_shipment_track', ['parent_id', 'weight', 'qty', 'order_id', 'track_number', 'title', 'carrier_code', 'created_at', 'updated_at'], [
      shipmentId, money(order.qtyOrdered), money(order.qtyOrdered), id, `1Z${String(id * 7919).padStart(12, '0')}`, 'United Parcel Service', 'ups', created, updated,
    ]);
  }
  let memoId: number | null = null;
  if (order.refunded) {
    memoId = ids.memo++;
    await w.row('sales_creditmemo', [...DOC_COLS, 'adjustment_positive', 'adjustment_negative', 'adjustment', 'base_adjustment_positive', 'base_adjustment_negative', 'base_adjustment', 'creditmemo_status', 'state', 'invoice_id', 'billing_address_id', 'shipping_address_id', 'transaction_id', 'order_currency_code', 'base_currency_code', 'global_currency_code', 'store_currency_code', 'increment_id', 'created_at', 'updated_at'], [
      ...totals(order, memoId), money(0), money(0), money(0), money(0), money(0), money(0), null, 2, invoiceId, billingId, shippingId,
      method === 'braintree' ? `bt-${id}-refund` : null, ...CURRENCIES, incrementId, created, updated,
    ]);
    for (const l of order.priced) await w.row('sales_creditmemo_item', DOC_ITEM_COLS, docItem(ids.memoItem++, memoId, l));
    await w.row('sales_creditmemo_comment', ['parent_id', 'is_customer_notified', 'is_visible_on_front', 'comment', 'created_at'], [memoId, 1, 1, 'Refunded: item returned by the customer.', updated]);
  }
  return { invoiceId, shipmentId, memoId };
}
