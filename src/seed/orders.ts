// Orders as Magento checkout writes them: items (a configurable line is a parent
// item plus its child item), payment, addresses, taxes, then invoices, shipments,
// credit memos and payment transactions according to the order's state. Every
// order gets its data_exporter_uuid and its MSI reservations.
import { DAY, Rng, sqlTime } from './random.js';
import { SECOND_STOCK } from './inventory.js';
import type { SeedContext } from './context.js';
import type { ProductPlan } from './products.js';

type Value = string | number | null;

const STATES: Array<[string, string, number]> = [
  ['new', 'pending', 0.2],
  ['processing', 'processing', 0.25],
  ['complete', 'complete', 0.35],
  ['canceled', 'canceled', 0.1],
  ['closed', 'closed', 0.1],
];
const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Eva', 'Finn', 'Grace', 'Hugo', 'Ines', 'Jon'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Knuth', 'Liskov', 'Ritchie', 'Torvalds', 'Wirth'];
const TAX_RATE = 0.0825;

interface Line { itemId: number; parentItemId: number | null; product: ProductPlan; qty: number; price: number; tax: number }

const money = (n: number) => n.toFixed(4);

export async function writeOrders(ctx: SeedContext, plans: ProductPlan[]): Promise<void> {
  const { w, o, scopes } = ctx;
  if (o.orders === 0) return;
  const rng = new Rng(o.seed, 'orders');
  const byId = new Map(plans.map((p) => [p.id, p]));
  const sellable = plans.filter((p) => p.enabled && p.price !== null && (p.type === 'simple' || p.type === 'virtual' || p.type === 'downloadable'));
  const sellableOn = new Map(scopes.websites.map((ws) => [ws.id, sellable.filter((p) => p.websiteIds.includes(ws.id))]));
  const ids = { item: 1, address: 1, invoice: 1, invoiceItem: 1, shipment: 1, shipmentItem: 1, memo: 1, memoItem: 1, tax: 1, txn: 1 };
  const orderCols = ['entity_id', 'state', 'status', 'shipping_description', 'is_virtual', 'store_id', 'customer_id', 'base_discount_amount', 'base_grand_total', 'base_shipping_amount', 'base_shipping_tax_amount', 'base_subtotal', 'base_tax_amount', 'base_total_invoiced', 'base_total_paid', 'base_total_refunded', 'base_to_global_rate', 'base_to_order_rate', 'discount_amount', 'grand_total', 'shipping_amount', 'shipping_tax_amount', 'store_to_base_rate', 'store_to_order_rate', 'subtotal', 'tax_amount', 'total_invoiced', 'total_paid', 'total_refunded', 'total_qty_ordered', 'customer_is_guest', 'billing_address_id', 'customer_group_id', 'email_sent', 'quote_id', 'shipping_address_id', 'base_subtotal_incl_tax', 'subtotal_incl_tax', 'weight', 'increment_id', 'base_currency_code', 'customer_email', 'customer_firstname', 'customer_lastname', 'global_currency_code', 'order_currency_code', 'remote_ip', 'shipping_method', 'store_currency_code', 'store_name', 'created_at', 'updated_at', 'total_item_count'];

  for (let orderId = 1; orderId <= o.orders; orderId++) {
    const store = rng.pick(scopes.stores);
    const candidates = sellableOn.get(store.websiteId) ?? [];
    if (candidates.length === 0) continue;
    const guest = rng.chance(0.3);
    const groupChoices = scopes.customerGroups.filter((g) => g !== 0);
    const customerId = guest ? null : rng.int(1, 500);
    const groupId = guest ? 0 : rng.pick(groupChoices);
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const email = `${first}.${last}.${orderId}@example.com`.toLowerCase();
    const [state, status] = pickState(rng);
    const taxed = rng.chance(0.5);
    const created = sqlTime(o.today, -rng.int(60, 6 * DAY));
    const updated = sqlTime(o.today, -rng.int(0, 59));
    const incrementId = String(orderId).padStart(9, '0');

    const lines: Line[] = [];
    for (const product of rng.sample(candidates, rng.int(1, 3))) {
      const qty = rng.int(1, 3);
      const price = Number(product.price);
      const parent = product.parentId === null ? null : byId.get(product.parentId)!;
      if (parent) {
        const parentLine: Line = { itemId: ids.item++, parentItemId: null, product: parent, qty, price, tax: taxed ? price * qty * TAX_RATE : 0 };
        lines.push(parentLine, { itemId: ids.item++, parentItemId: parentLine.itemId, product, qty, price: 0, tax: 0 });
      } else {
        lines.push({ itemId: ids.item++, parentItemId: null, product, qty, price, tax: taxed ? price * qty * TAX_RATE : 0 });
      }
    }
    const priced = lines.filter((l) => l.parentItemId === null);
    const isVirtual = lines.every((l) => l.product.type !== 'simple' && l.product.type !== 'configurable');
    const subtotal = priced.reduce((s, l) => s + l.price * l.qty, 0);
    const tax = priced.reduce((s, l) => s + l.tax, 0);
    const shipping = isVirtual ? 0 : 5;
    const grand = subtotal + tax + shipping;
    const invoiced = state === 'processing' || state === 'complete' || state === 'closed';
    const shipped = !isVirtual && (state === 'complete' || state === 'closed');
    const refunded = state === 'closed';
    const qtyOrdered = priced.reduce((s, l) => s + l.qty, 0);
    const billingId = ids.address++;
    const shippingId = isVirtual ? null : ids.address++;

    await w.row('sales_order', orderCols, [
      orderId, state, status, isVirtual ? null : 'Flat Rate - Fixed', isVirtual ? 1 : 0, store.id, customerId,
      money(0), money(grand), money(shipping), money(0), money(subtotal), money(tax),
      invoiced ? money(grand) : null, invoiced ? money(grand) : null, refunded ? money(grand) : null, money(1), money(1),
      money(0), money(grand), money(shipping), money(0), money(0), money(0), money(subtotal), money(tax),
      invoiced ? money(grand) : null, invoiced ? money(grand) : null, refunded ? money(grand) : null, money(qtyOrdered),
      guest ? 1 : 0, billingId, groupId, 1, 1000 + orderId, shippingId, money(subtotal + tax), money(subtotal + tax),
      isVirtual ? null : money(qtyOrdered), incrementId, 'USD', email, first, last, 'USD', 'USD', `10.0.${orderId % 256}.${(orderId * 7) % 256}`,
      isVirtual ? null : 'flatrate_flatrate', 'USD', `Main Website\nMain Website Store\n${store.name}`, created, updated, priced.length,
    ]);
    for (const l of lines) {
      const rowTotal = l.price * l.qty;
      const q = (yes: boolean) => money(yes ? l.qty : 0);
      await w.row('sales_order_item', ['item_id', 'order_id', 'parent_item_id', 'quote_item_id', 'store_id', 'created_at', 'updated_at', 'product_id', 'product_type', 'product_options', 'weight', 'is_virtual', 'sku', 'name', 'qty_canceled', 'qty_invoiced', 'qty_ordered', 'qty_refunded', 'qty_shipped', 'price', 'base_price', 'original_price', 'base_original_price', 'tax_percent', 'tax_amount', 'base_tax_amount', 'row_total', 'base_row_total', 'price_incl_tax', 'base_price_incl_tax', 'row_total_incl_tax', 'base_row_total_incl_tax'], [
        l.itemId, orderId, l.parentItemId, 2000 + l.itemId, store.id, created, updated, l.product.id, l.product.type,
        JSON.stringify({ info_buyRequest: { qty: l.qty, product: String(l.product.id) } }), l.product.type === 'simple' ? money(1) : null,
        l.product.type === 'simple' || l.product.type === 'configurable' ? 0 : 1,
        l.parentItemId === null && l.product.type === 'configurable' ? lines.find((c) => c.parentItemId === l.itemId)!.product.sku : l.product.sku,
        l.product.name, q(state === 'canceled'), q(invoiced), money(l.qty), q(refunded), q(shipped),
        money(l.price), money(l.price), money(l.price), money(l.price), money(l.tax > 0 ? TAX_RATE * 100 : 0), money(l.tax), money(l.tax),
        money(rowTotal), money(rowTotal), money(l.price * (1 + (l.tax > 0 ? TAX_RATE : 0))), money(l.price * (1 + (l.tax > 0 ? TAX_RATE : 0))),
        money(rowTotal + l.tax), money(rowTotal + l.tax),
      ]);
    }
    await writeAddresses(ctx, rng, orderId, billingId, shippingId, customerId, first, last, email);
    const method = rng.pick(['checkmo', 'braintree', 'purchaseorder']);
    const paymentId = orderId;
    await w.row('sales_order_payment', ['entity_id', 'parent_id', 'base_shipping_amount', 'shipping_amount', 'amount_paid', 'base_amount_paid', 'amount_ordered', 'base_amount_ordered', 'amount_refunded', 'base_amount_refunded', 'method', 'po_number', 'cc_type', 'cc_last_4', 'last_trans_id', 'additional_information'], [
      paymentId, orderId, money(shipping), money(shipping), invoiced ? money(grand) : null, invoiced ? money(grand) : null, money(grand), money(grand),
      refunded ? money(grand) : null, refunded ? money(grand) : null, method, method === 'purchaseorder' ? `PO-${orderId}` : null,
      method === 'braintree' ? 'VI' : null, method === 'braintree' ? String(1000 + (orderId % 9000)) : null,
      method === 'braintree' && state !== 'new' ? `bt-${orderId}-${invoiced ? 'capture' : 'auth'}` : null,
      JSON.stringify({ method_title: method === 'checkmo' ? 'Check / Money order' : method === 'braintree' ? 'Credit Card' : 'Purchase Order' }),
    ]);
    if (method === 'braintree' && state !== 'new') {
      const txn = (type: string, parent: string | null, closed: number) => w.row('sales_payment_transaction', ['transaction_id', 'parent_id', 'order_id', 'payment_id', 'txn_id', 'parent_txn_id', 'txn_type', 'is_closed', 'created_at'], [
        ids.txn++, null, orderId, paymentId, `bt-${orderId}-${type}`, parent, type === 'auth' ? 'authorization' : type, closed, created,
      ]);
      await txn('auth', null, invoiced ? 1 : 0);
      if (invoiced) await txn('capture', `bt-${orderId}-auth`, refunded ? 1 : 0);
      if (refunded) await txn('refund', `bt-${orderId}-capture`, 1);
    }
    if (taxed) {
      const taxId = ids.tax++;
      await w.row('sales_order_tax', ['tax_id', 'order_id', 'code', 'title', 'percent', 'amount', 'priority', 'position', 'base_amount', 'process', 'base_real_amount'], [
        taxId, orderId, 'US-TX-*-Rate 1', 'US-TX-*-Rate 1', money(TAX_RATE * 100), money(tax), 0, 0, money(tax), 0, money(tax),
      ]);
      for (const l of priced) {
        await w.row('sales_order_tax_item', ['tax_id', 'item_id', 'tax_percent', 'amount', 'base_amount', 'real_amount', 'real_base_amount', 'associated_item_id', 'taxable_item_type'], [
          taxId, l.itemId, money(TAX_RATE * 100), money(l.tax), money(l.tax), money(l.tax), money(l.tax), null, 'product',
        ]);
      }
    }
    const totals = (id: number): Value[] => [
      id, store.id, orderId, money(grand), money(grand), money(subtotal), money(subtotal), money(subtotal + tax), money(subtotal + tax),
      money(tax), money(tax), money(shipping), money(shipping), money(0), money(0), money(0), money(0), money(1), money(1), money(0), money(0),
    ];
    const docCols = ['entity_id', 'store_id', 'order_id', 'base_grand_total', 'grand_total', 'base_subtotal', 'subtotal', 'base_subtotal_incl_tax', 'subtotal_incl_tax', 'base_tax_amount', 'tax_amount', 'base_shipping_amount', 'shipping_amount', 'base_shipping_tax_amount', 'shipping_tax_amount', 'base_discount_amount', 'discount_amount', 'base_to_global_rate', 'base_to_order_rate', 'store_to_base_rate', 'store_to_order_rate'];
    const itemCols = ['entity_id', 'parent_id', 'base_price', 'tax_amount', 'base_row_total', 'row_total', 'base_tax_amount', 'qty', 'price', 'price_incl_tax', 'row_total_incl_tax', 'product_id', 'order_item_id', 'sku', 'name'];
    const docItem = (id: number, parent: number, l: Line): Value[] => [
      id, parent, money(l.price), money(l.tax), money(l.price * l.qty), money(l.price * l.qty), money(l.tax), money(l.qty), money(l.price),
      money(l.price * (1 + (l.tax > 0 ? TAX_RATE : 0))), money(l.price * l.qty + l.tax), l.product.id, l.itemId, l.product.sku, l.product.name,
    ];
    let invoiceId: number | null = null;
    if (invoiced) {
      invoiceId = ids.invoice++;
      await w.row('sales_invoice', [...docCols, 'total_qty', 'state', 'billing_address_id', 'shipping_address_id', 'transaction_id', 'order_currency_code', 'base_currency_code', 'global_currency_code', 'store_currency_code', 'increment_id', 'created_at', 'updated_at'], [
        ...totals(invoiceId), money(qtyOrdered), 2, billingId, shippingId, method === 'braintree' ? `bt-${orderId}-capture` : null, 'USD', 'USD', 'USD', 'USD', incrementId, created, updated,
      ]);
      for (const l of priced) await w.row('sales_invoice_item', itemCols, docItem(ids.invoiceItem++, invoiceId, l));
    }
    let shipmentId: number | null = null;
    if (shipped) {
      shipmentId = ids.shipment++;
      await w.row('sales_shipment', ['entity_id', 'store_id', 'total_weight', 'total_qty', 'order_id', 'customer_id', 'shipping_address_id', 'billing_address_id', 'increment_id', 'created_at', 'updated_at'], [
        shipmentId, store.id, money(qtyOrdered), money(qtyOrdered), orderId, customerId, shippingId, billingId, incrementId, created, updated,
      ]);
      for (const l of priced) {
        if (l.product.type !== 'simple' && l.product.type !== 'configurable') continue;
        await w.row('sales_shipment_item', ['entity_id', 'parent_id', 'row_total', 'price', 'weight', 'qty', 'product_id', 'order_item_id', 'name', 'sku'], [
          ids.shipmentItem++, shipmentId, money(l.price * l.qty), money(l.price), money(1), money(l.qty), l.product.id, l.itemId, l.product.name, l.product.sku,
        ]);
      }
      await w.row('sales_shipment_track', ['parent_id', 'weight', 'qty', 'order_id', 'track_number', 'title', 'carrier_code', 'created_at', 'updated_at'], [
        shipmentId, money(qtyOrdered), money(qtyOrdered), orderId, `1Z${String(orderId * 7919).padStart(12, '0')}`, 'United Parcel Service', 'ups', created, updated,
      ]);
    }
    let memoId: number | null = null;
    if (refunded) {
      memoId = ids.memo++;
      await w.row('sales_creditmemo', [...docCols, 'adjustment_positive', 'adjustment_negative', 'adjustment', 'base_adjustment_positive', 'base_adjustment_negative', 'base_adjustment', 'creditmemo_status', 'state', 'invoice_id', 'billing_address_id', 'shipping_address_id', 'transaction_id', 'order_currency_code', 'base_currency_code', 'global_currency_code', 'store_currency_code', 'increment_id', 'created_at', 'updated_at'], [
        ...totals(memoId), money(0), money(0), money(0), money(0), money(0), money(0), null, 2, invoiceId, billingId, shippingId,
        method === 'braintree' ? `bt-${orderId}-refund` : null, 'USD', 'USD', 'USD', 'USD', incrementId, created, updated,
      ]);
      for (const l of priced) await w.row('sales_creditmemo_item', itemCols, docItem(ids.memoItem++, memoId, l));
      await w.row('sales_creditmemo_comment', ['parent_id', 'is_customer_notified', 'is_visible_on_front', 'comment', 'created_at'], [memoId, 1, 1, 'Refunded: item returned by the customer.', updated]);
    }
    // the types SalesOrdersDataExporter's plugins assign: orders with their items, shipments, credit memos
    const uuid = (entityId: number, type: string) => w.row('data_exporter_uuid', ['uuid', 'entity_id', 'type', 'created_at'], [rng.uuid(), entityId, type, created]);
    await uuid(orderId, 'order');
    for (const l of lines) await uuid(l.itemId, 'order_item');
    if (shipmentId !== null) await uuid(shipmentId, 'order_shipment');
    if (memoId !== null) await uuid(memoId, 'credit_memo');
    await writeReservations(ctx, orderId, incrementId, store.websiteId, lines, state, shipped);
  }
}

function pickState(rng: Rng): [string, string] {
  let r = rng.next();
  for (const [state, status, p] of STATES) {
    if (r < p) return [state, status];
    r -= p;
  }
  return ['complete', 'complete'];
}

async function writeAddresses(ctx: SeedContext, rng: Rng, orderId: number, billingId: number, shippingId: number | null, customerId: number | null, first: string, last: string, email: string): Promise<void> {
  const cols = ['entity_id', 'parent_id', 'customer_id', 'region_id', 'region', 'postcode', 'lastname', 'street', 'city', 'email', 'telephone', 'country_id', 'firstname', 'address_type', 'company'];
  const street = `${rng.int(1, 999)} ${rng.pick(['Main', 'Oak', 'Pine', 'Maple'])} St`;
  const common = [57, 'Texas', String(rng.int(73301, 79999)), last, street, 'Austin', email, `512-555-${String(orderId % 10000).padStart(4, '0')}`, 'US', first];
  await ctx.w.row('sales_order_address', cols, [billingId, orderId, customerId, ...common, 'billing', null]);
  if (shippingId !== null) await ctx.w.row('sales_order_address', cols, [shippingId, orderId, customerId, ...common, 'shipping', null]);
}

/** MSI reservations: the sale takes quantity, a shipment or a cancellation gives it back. */
async function writeReservations(ctx: SeedContext, orderId: number, incrementId: string, websiteId: number, lines: Line[], state: string, shipped: boolean): Promise<void> {
  const stockId = websiteId === 1 ? 1 : SECOND_STOCK;
  for (const l of lines) {
    if (l.product.type === 'configurable' || l.product.type === 'bundle') continue;
    const meta = (event: string, objectType: string) => JSON.stringify({ event_type: event, object_type: objectType, object_id: String(orderId), object_increment_id: incrementId });
    await ctx.w.row('inventory_reservation', ['stock_id', 'sku', 'quantity', 'metadata'], [stockId, l.product.sku, money(-l.qty), meta('order_placed', 'order')]);
    if (shipped) await ctx.w.row('inventory_reservation', ['stock_id', 'sku', 'quantity', 'metadata'], [stockId, l.product.sku, money(l.qty), meta('shipment_created', 'order')]);
    else if (state === 'canceled') await ctx.w.row('inventory_reservation', ['stock_id', 'sku', 'quantity', 'metadata'], [stockId, l.product.sku, money(l.qty), meta('order_canceled', 'order')]);
  }
}
