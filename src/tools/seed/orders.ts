// Orders as Magento checkout writes them: items (a configurable line is a parent
// item plus its child item), addresses, payment and taxes, then the invoice,
// shipment and credit memo the order's state implies. Every order gets its
// data_exporter_uuid rows and its MSI reservations.
import { DAY, Rng, sqlTime } from './random.js';
import { SECOND_STOCK } from './inventory.js';
import { TAX_RATE, inclTax, money, type Line, type Order, type SalesIds } from './orderModel.js';
import { writeDocuments, writePayment, writeTaxes } from './salesDocuments.js';
import type { SeedContext, StoreView } from './context.js';
import type { ProductPlan } from './products.js';
import type { BatchWriter } from './writer.js';

const STATES: Array<[string, string, number]> = [
  ['new', 'pending', 0.2],
  ['processing', 'processing', 0.25],
  ['complete', 'complete', 0.35],
  ['canceled', 'canceled', 0.1],
  ['closed', 'closed', 0.1],
];
const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Eva', 'Finn', 'Grace', 'Hugo', 'Ines', 'Jon'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Knuth', 'Liskov', 'Ritchie', 'Torvalds', 'Wirth'];

export async function writeOrders(ctx: SeedContext, plans: ProductPlan[]): Promise<void> {
  const { w, o, scopes } = ctx;
  if (o.orders === 0) return;
  const rng = new Rng(o.seed, 'orders');
  const byId = new Map(plans.map((p) => [p.id, p]));
  const sellable = plans.filter((p) => p.enabled && p.price !== null && (p.type === 'simple' || p.type === 'virtual' || p.type === 'downloadable'));
  const sellableOn = new Map(scopes.websites.map((ws) => [ws.id, sellable.filter((p) => p.websiteIds.includes(ws.id))]));
  const groups = scopes.customerGroups.filter((g) => g !== 0);
  const ids: SalesIds = { item: 1, address: 1, invoice: 1, invoiceItem: 1, shipment: 1, shipmentItem: 1, memo: 1, memoItem: 1, tax: 1, txn: 1 };

  for (let orderId = 1; orderId <= o.orders; orderId++) {
    const store = rng.pick(scopes.stores);
    const candidates = sellableOn.get(store.websiteId) ?? [];
    if (candidates.length === 0) continue;
    // the draws happen in a fixed order: the same seed gives the same orders
    const order = planOrder(rng, o.today, orderId, store, candidates, byId, groups, ids);
    await writeOrderRows(w, order);
    await writeAddresses(w, rng, order);
    order.method = rng.pick(['checkmo', 'braintree', 'purchaseorder']);
    await writePayment(w, order, ids);
    await writeTaxes(w, order, ids);
    const { shipmentId, memoId } = await writeDocuments(w, order, ids);
    // the types SalesOrdersDataExporter's plugins assign: orders with their items, shipments, credit memos
    const uuid = (entityId: number, type: string) => w.row('data_exporter_uuid', ['uuid', 'entity_id', 'type', 'created_at'], [rng.uuid(), entityId, type, order.created]);
    await uuid(order.id, 'order');
    for (const l of order.lines) await uuid(l.itemId, 'order_item');
    if (shipmentId !== null) await uuid(shipmentId, 'order_shipment');
    if (memoId !== null) await uuid(memoId, 'credit_memo');
    await writeReservations(w, order);
  }
}

function planOrder(
  rng: Rng, today: string, orderId: number, store: StoreView, candidates: ProductPlan[],
  byId: Map<number, ProductPlan>, groups: number[], ids: SalesIds,
): Order {
  const guest = rng.chance(0.3);
  const customerId = guest ? null : rng.int(1, 500);
  const groupId = guest ? 0 : rng.pick(groups);
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const [state, status] = pickState(rng);
  const taxed = rng.chance(0.5);
  const created = sqlTime(today, -rng.int(60, 6 * DAY));
  const updated = sqlTime(today, -rng.int(0, 59));

  const lines: Line[] = [];
  for (const product of rng.sample(candidates, rng.int(1, 3))) {
    const qty = rng.int(1, 3);
    const price = Number(product.price);
    const tax = taxed ? price * qty * TAX_RATE : 0;
    const parent = product.parentId === null ? null : byId.get(product.parentId)!;
    if (parent) {
      const parentLine: Line = { itemId: ids.item++, parentItemId: null, product: parent, qty, price, tax };
      lines.push(parentLine, { itemId: ids.item++, parentItemId: parentLine.itemId, product, qty, price: 0, tax: 0 });
    } else {
      lines.push({ itemId: ids.item++, parentItemId: null, product, qty, price, tax });
    }
  }
  const priced = lines.filter((l) => l.parentItemId === null);
  const isVirtual = lines.every((l) => l.product.type !== 'simple' && l.product.type !== 'configurable');
  const subtotal = priced.reduce((s, l) => s + l.price * l.qty, 0);
  const tax = priced.reduce((s, l) => s + l.tax, 0);
  const shipping = isVirtual ? 0 : 5;
  return {
    id: orderId, incrementId: String(orderId).padStart(9, '0'), store, guest, customerId, groupId, first, last,
    email: `${first}.${last}.${orderId}@example.com`.toLowerCase(), state, status, created, updated, lines, priced, isVirtual,
    subtotal, tax, shipping, grand: subtotal + tax + shipping, qtyOrdered: priced.reduce((s, l) => s + l.qty, 0),
    invoiced: state === 'processing' || state === 'complete' || state === 'closed',
    shipped: !isVirtual && (state === 'complete' || state === 'closed'),
    refunded: state === 'closed',
    billingId: ids.address++, shippingId: isVirtual ? null : ids.address++,
    method: '',
  };
}

function pickState(rng: Rng): [string, string] {
  let r = rng.next();
  for (const [state, status, p] of STATES) {
    if (r < p) return [state, status];
    r -= p;
  }
  return ['complete', 'complete'];
}

const ORDER_COLS = ['entity_id', 'state', 'status', 'shipping_description', 'is_virtual', 'store_id', 'customer_id', 'base_discount_amount', 'base_grand_total', 'base_shipping_amount', 'base_shipping_tax_amount', 'base_subtotal', 'base_tax_amount', 'base_total_invoiced', 'base_total_paid', 'base_total_refunded', 'base_to_global_rate', 'base_to_order_rate', 'discount_amount', 'grand_total', 'shipping_amount', 'shipping_tax_amount', 'store_to_base_rate', 'store_to_order_rate', 'subtotal', 'tax_amount', 'total_invoiced', 'total_paid', 'total_refunded', 'total_qty_ordered', 'customer_is_guest', 'billing_address_id', 'customer_group_id', 'email_sent', 'quote_id', 'shipping_address_id', 'base_subtotal_incl_tax', 'subtotal_incl_tax', 'weight', 'increment_id', 'base_currency_code', 'customer_email', 'customer_firstname', 'customer_lastname', 'global_currency_code', 'order_currency_code', 'remote_ip', 'shipping_method', 'store_currency_code', 'store_name', 'created_at', 'updated_at', 'total_item_count'];
const ITEM_COLS = ['item_id', 'order_id', 'parent_item_id', 'quote_item_id', 'store_id', 'created_at', 'updated_at', 'product_id', 'product_type', 'product_options', 'weight', 'is_virtual', 'sku', 'name', 'qty_canceled', 'qty_invoiced', 'qty_ordered', 'qty_refunded', 'qty_shipped', 'price', 'base_price', 'original_price', 'base_original_price', 'tax_percent', 'tax_amount', 'base_tax_amount', 'row_total', 'base_row_total', 'price_incl_tax', 'base_price_incl_tax', 'row_total_incl_tax', 'base_row_total_incl_tax'];

async function writeOrderRows(w: BatchWriter, order: Order): Promise<void> {
  const { id, state, store, subtotal, tax, shipping, grand, invoiced, shipped, refunded, isVirtual, created, updated } = order;
  const paid = (yes: boolean) => (yes ? money(grand) : null);
  await w.row('sales_order', ORDER_COLS, [
    id, state, order.status, isVirtual ? null : 'Flat Rate - Fixed', isVirtual ? 1 : 0, store.id, order.customerId,
    money(0), money(grand), money(shipping), money(0), money(subtotal), money(tax),
    paid(invoiced), paid(invoiced), paid(refunded), money(1), money(1),
    money(0), money(grand), money(shipping), money(0), money(0), money(0), money(subtotal), money(tax),
    paid(invoiced), paid(invoiced), paid(refunded), money(order.qtyOrdered),
    order.guest ? 1 : 0, order.billingId, order.groupId, 1, 1000 + id, order.shippingId, money(subtotal + tax), money(subtotal + tax),
    isVirtual ? null : money(order.qtyOrdered), order.incrementId, 'USD', order.email, order.first, order.last, 'USD', 'USD', `10.0.${id % 256}.${(id * 7) % 256}`,
    isVirtual ? null : 'flatrate_flatrate', 'USD', `Main Website\nMain Website Store\n${store.name}`, created, updated, order.priced.length,
  ]);
  for (const l of order.lines) {
    const rowTotal = l.price * l.qty;
    const q = (yes: boolean) => money(yes ? l.qty : 0);
    // Magento gives a configurable's parent item the sku of the chosen child
    const sku = l.parentItemId === null && l.product.type === 'configurable' ? order.lines.find((c) => c.parentItemId === l.itemId)!.product.sku : l.product.sku;
    await w.row('sales_order_item', ITEM_COLS, [
      l.itemId, id, l.parentItemId, 2000 + l.itemId, store.id, created, updated, l.product.id, l.product.type,
      JSON.stringify({ info_buyRequest: { qty: l.qty, product: String(l.product.id) } }), l.product.type === 'simple' ? money(1) : null,
      l.product.type === 'simple' || l.product.type === 'configurable' ? 0 : 1, sku,
      l.product.name, q(state === 'canceled'), q(invoiced), money(l.qty), q(refunded), q(shipped),
      money(l.price), money(l.price), money(l.price), money(l.price), money(l.tax > 0 ? TAX_RATE * 100 : 0), money(l.tax), money(l.tax),
      money(rowTotal), money(rowTotal), money(inclTax(l)), money(inclTax(l)), money(rowTotal + l.tax), money(rowTotal + l.tax),
    ]);
  }
}

async function writeAddresses(w: BatchWriter, rng: Rng, order: Order): Promise<void> {
  const cols = ['entity_id', 'parent_id', 'customer_id', 'region_id', 'region', 'postcode', 'lastname', 'street', 'city', 'email', 'telephone', 'country_id', 'firstname', 'address_type', 'company'];
  const street = `${rng.int(1, 999)} ${rng.pick(['Main', 'Oak', 'Pine', 'Maple'])} St`;
  const common = [57, 'Texas', String(rng.int(73301, 79999)), order.last, street, 'Austin', order.email, `512-555-${String(order.id % 10000).padStart(4, '0')}`, 'US', order.first];
  await w.row('sales_order_address', cols, [order.billingId, order.id, order.customerId, ...common, 'billing', null]);
  if (order.shippingId !== null) await w.row('sales_order_address', cols, [order.shippingId, order.id, order.customerId, ...common, 'shipping', null]);
}

/** MSI reservations: the sale takes quantity, a shipment or a cancellation gives it back. */
async function writeReservations(w: BatchWriter, order: Order): Promise<void> {
  const stockId = order.store.websiteId === 1 ? 1 : SECOND_STOCK;
  const meta = (event: string) => JSON.stringify({ event_type: event, object_type: 'order', object_id: String(order.id), object_increment_id: order.incrementId });
  const cols = ['stock_id', 'sku', 'quantity', 'metadata'];
  for (const l of order.lines) {
    if (l.product.type === 'configurable' || l.product.type === 'bundle') continue;
    await w.row('inventory_reservation', cols, [stockId, l.product.sku, money(-l.qty), meta('order_placed')]);
    if (order.shipped) await w.row('inventory_reservation', cols, [stockId, l.product.sku, money(l.qty), meta('shipment_created')]);
    else if (order.state === 'canceled') await w.row('inventory_reservation', cols, [stockId, l.product.sku, money(l.qty), meta('order_canceled')]);
  }
}
