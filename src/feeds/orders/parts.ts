import { toNumber } from '../common/sql.js';
import type { Row } from './queries.js';

// The nested records of an order item. Amounts are the base-currency columns.

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const id = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Rows grouped by a column, each group sorted by `sortKey` ascending (numeric). */
export function groupBy(rows: Row[], key: string, sortKey: string): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const r of rows) {
    const k = String(r[key]);
    const list = out.get(k) ?? [];
    out.set(k, list);
    list.push(r);
  }
  for (const list of out.values()) list.sort((a, b) => Number(a[sortKey]) - Number(b[sortKey]));
  return out;
}

export function address(a: Row | undefined) {
  if (!a) return null;
  return {
    firstname: str(a.firstname),
    lastname: str(a.lastname),
    company: str(a.company),
    street: a.street === null ? [] : String(a.street).split('\n'),
    city: str(a.city),
    region: str(a.region),
    postcode: str(a.postcode),
    countryCode: str(a.country_id),
    telephone: str(a.telephone),
    email: str(a.email),
  };
}

export function orderItem(i: Row) {
  return {
    itemId: String(i.item_id),
    parentItemId: id(i.parent_item_id),
    productId: id(i.product_id),
    sku: str(i.sku),
    name: str(i.name),
    productType: str(i.product_type),
    qtyOrdered: toNumber(i.qty_ordered),
    qtyInvoiced: toNumber(i.qty_invoiced),
    qtyShipped: toNumber(i.qty_shipped),
    qtyRefunded: toNumber(i.qty_refunded),
    qtyCanceled: toNumber(i.qty_canceled),
    price: toNumber(i.base_price),
    originalPrice: toNumber(i.base_original_price),
    rowTotal: toNumber(i.base_row_total),
    taxAmount: toNumber(i.base_tax_amount),
    discountAmount: toNumber(i.base_discount_amount),
  };
}

/** An invoice, credit memo or shipment line. */
export function documentItem(i: Row) {
  return {
    orderItemId: id(i.order_item_id),
    sku: str(i.sku),
    qty: toNumber(i.qty),
    rowTotal: i.base_row_total === undefined ? toNumber(i.row_total) : toNumber(i.base_row_total),
  };
}

export function invoice(inv: Row, items: Row[]) {
  return {
    invoiceId: String(inv.entity_id),
    number: str(inv.increment_id),
    state: toNumber(inv.state),
    grandTotal: toNumber(inv.base_grand_total),
    createdAt: str(inv.created_at),
    items: items.map(documentItem),
  };
}

export function creditMemo(cm: Row, items: Row[], comments: Row[]) {
  return {
    creditMemoId: String(cm.entity_id),
    number: str(cm.increment_id),
    state: toNumber(cm.state),
    grandTotal: toNumber(cm.base_grand_total),
    adjustment: toNumber(cm.base_adjustment),
    createdAt: str(cm.created_at),
    items: items.map(documentItem),
    comments: comments.flatMap((c) => (c.comment === null ? [] : [String(c.comment)])),
  };
}

export function shipment(s: Row, items: Row[], tracks: Row[]) {
  return {
    shipmentId: String(s.entity_id),
    number: str(s.increment_id),
    createdAt: str(s.created_at),
    items: items.map(documentItem),
    tracks: tracks.map((tr) => ({ number: str(tr.track_number), title: str(tr.title), carrierCode: str(tr.carrier_code) })),
  };
}

export function transaction(tx: Row) {
  return {
    transactionId: String(tx.transaction_id),
    txnId: str(tx.txn_id),
    parentTxnId: str(tx.parent_txn_id),
    type: str(tx.txn_type),
    isClosed: Number(tx.is_closed) === 1,
    createdAt: str(tx.created_at),
  };
}

export function payment(p: Row | undefined) {
  if (!p) return null;
  return {
    method: str(p.method),
    amountOrdered: toNumber(p.base_amount_ordered),
    amountAuthorized: toNumber(p.base_amount_authorized),
    amountPaid: toNumber(p.base_amount_paid),
    amountRefunded: toNumber(p.base_amount_refunded),
    ccType: str(p.cc_type),
    ccLast4: str(p.cc_last_4),
    lastTransactionId: str(p.last_trans_id),
  };
}

/** The payment's additional_information (a JSON object) as name/value pairs sorted by name. */
export function additionalInformation(p: Row | undefined): Array<{ name: string; value: string }> {
  if (!p || p.additional_information === null || p.additional_information === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(p.additional_information));
  } catch {
    return [];
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return [];
  return Object.entries(parsed as Record<string, unknown>)
    .map(([name, v]) => ({ name, value: typeof v === 'string' ? v : JSON.stringify(v) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function tax(tx: Row) {
  return { code: str(tx.code), title: str(tx.title), percent: toNumber(tx.percent), amount: toNumber(tx.base_amount) };
}
