import { toNumber } from '../common/sql.js';
import type { Row } from './queries.js';
import type { UuidType } from './uuid.js';

// The nested records of an order item (Adobe's OrderV2 et_schema). Amounts are the
// base-currency columns.

export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const flag = (v: unknown): boolean | null => (v === null || v === undefined ? null : Number(v) === 1);

/** DATETIME/TIMESTAMP strings (UTC) as RFC 3339, as Adobe's DateConverter sends them. */
export function rfc3339(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  return `${String(v).replace(' ', 'T')}+00:00`;
}

export type UuidOf = (type: UuidType, entityId: unknown) => { id: string };

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
  const street = a.street === null ? null : String(a.street);
  return {
    phone: str(a.telephone),
    region: str(a.region),
    postcode: str(a.postcode),
    street,
    multiLineStreet: street === null ? [] : street.split('\n'),
    city: str(a.city),
    country: str(a.country_id),
    firstname: str(a.firstname),
    lastname: str(a.lastname),
  };
}

/** Bundles shipped together (shipment_type 0) and configurables ship as one item. */
function shippedTogether(i: Row): boolean {
  if (i.product_type === 'configurable') return true;
  if (i.product_type !== 'bundle' || i.product_options === null) return false;
  try {
    const options = JSON.parse(String(i.product_options)) as { shipment_type?: unknown };
    return options.shipment_type !== undefined && Number(options.shipment_type) === 0;
  } catch {
    return false;
  }
}

export function orderItem(i: Row, uuidOf: UuidOf) {
  return {
    itemId: uuidOf('order_item', i.item_id),
    entityId: String(i.item_id),
    parentEntityId: str(i.parent_item_id),
    isVirtual: flag(i.is_virtual),
    qtyInvoiced: toNumber(i.qty_invoiced),
    qtyShipped: toNumber(i.qty_shipped),
    qtyBackordered: toNumber(i.qty_backordered),
    qtyOrdered: toNumber(i.qty_ordered),
    qtyRefunded: toNumber(i.qty_refunded),
    qtyCanceled: toNumber(i.qty_canceled),
    productType: str(i.product_type),
    itemsShippedTogether: shippedTogether(i),
    sku: str(i.sku),
    name: str(i.name),
    qty: i.qty_ordered === null ? null : Math.trunc(Number(i.qty_ordered)),
    unitPrice: toNumber(i.base_price),
    itemPrice: toNumber(i.base_row_total),
    discountAmount: toNumber(i.base_discount_amount),
    taxAmount: toNumber(i.base_tax_amount),
    totalAmount: toNumber(i.base_row_total_incl_tax),
    weight: toNumber(i.weight),
    updatedAt: rfc3339(i.updated_at),
    additionalInformation: [] as Array<{ name: string; value: string }>,
  };
}

export function invoice(inv: Row) {
  return { entityId: String(inv.entity_id), isUsedForRefund: flag(inv.is_used_for_refund), grandTotal: toNumber(inv.base_grand_total) };
}

export interface Tax {
  taxName: string | null;
  taxType: string | null;
  taxAmount: number | null;
}

export function creditMemo(cm: Row, items: Row[], comments: Row[], refundTaxes: Tax[], taxesOfItem: (itemId: string) => Tax[], uuidOf: UuidOf) {
  return {
    creditMemoId: uuidOf('credit_memo', cm.entity_id),
    entityId: String(cm.entity_id),
    state: cm.state === null ? null : Number(cm.state),
    createdAt: rfc3339(cm.created_at),
    creditMemoComments: comments.flatMap((c) => (c.comment === null ? [] : [String(c.comment)])),
    shippingAmount: toNumber(cm.base_shipping_amount),
    shippingTaxAmount: toNumber(cm.base_shipping_tax_amount),
    adjustment: toNumber(cm.base_adjustment),
    currency: str(cm.base_currency_code),
    refundTaxes,
    subtotal: toNumber(cm.base_subtotal),
    productsTaxAmount: toNumber(cm.base_tax_amount),
    refundItems: items.map((i) => ({
      orderItemId: uuidOf('order_item', i.order_item_id),
      qtyRefunded: toNumber(i.qty),
      basePrice: toNumber(i.base_price),
      baseRowTotal: toNumber(i.base_row_total),
      productTaxes: taxesOfItem(String(i.order_item_id)),
    })),
  };
}

export function shipment(s: Row, items: Row[], tracks: Row[], shippingMethod: string | null, uuidOf: UuidOf) {
  // Adobe's Shipment carries one trackingInfo: the shipment's first track
  const track = tracks[0];
  return {
    shipmentId: uuidOf('order_shipment', s.entity_id),
    createdAt: rfc3339(s.created_at),
    updatedAt: rfc3339(s.updated_at),
    trackingInfo: track
      ? { shippingCarrier: str(track.carrier_code), shippingMethod, trackingNumber: str(track.track_number), trackingUrl: str(track.title) }
      : null,
    items: items.map((i) => ({ orderItemId: uuidOf('order_item', i.order_item_id), qtyShipped: toNumber(i.qty) })),
  };
}

export function transaction(tx: Row) {
  return { entityId: String(tx.transaction_id), txnId: str(tx.txn_id), type: str(tx.txn_type), createdAt: rfc3339(tx.created_at) };
}

/** The payment's additional_information (a JSON object) as name/value pairs sorted by name. */
export function additionalInformation(p: Row | undefined): Array<{ name: string; value: string }> {
  const parsed = paymentInfo(p);
  return Object.entries(parsed)
    .map(([name, v]) => ({ name, value: typeof v === 'string' ? v : JSON.stringify(v) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function paymentInfo(p: Row | undefined): Record<string, unknown> {
  if (!p || p.additional_information === null || p.additional_information === undefined) return {};
  try {
    const parsed = JSON.parse(String(p.additional_information)) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
