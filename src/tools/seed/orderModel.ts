// One generated order: what every sales table row of it is computed from.
import type { StoreView } from './context.js';
import type { ProductPlan } from './products.js';

export type Value = string | number | null;

export const TAX_RATE = 0.0825;

export interface Line { itemId: number; parentItemId: number | null; product: ProductPlan; qty: number; price: number; tax: number }

export interface Order {
  id: number;
  incrementId: string;
  store: StoreView;
  guest: boolean;
  customerId: number | null;
  groupId: number;
  first: string;
  last: string;
  email: string;
  state: string;
  status: string;
  created: string;
  updated: string;
  /** all items; a configurable line is a priced parent item followed by its child item */
  lines: Line[];
  /** the items that carry prices (no child items) */
  priced: Line[];
  isVirtual: boolean;
  subtotal: number;
  tax: number;
  shipping: number;
  grand: number;
  qtyOrdered: number;
  invoiced: boolean;
  shipped: boolean;
  refunded: boolean;
  billingId: number;
  shippingId: number | null;
  method: string;
}

/** Per-table id counters shared by all orders of a run. */
export interface SalesIds { item: number; address: number; invoice: number; invoiceItem: number; shipment: number; shipmentItem: number; memo: number; memoItem: number; tax: number; txn: number }

export const money = (n: number) => n.toFixed(4);

export const inclTax = (l: Line) => l.price * (1 + (l.tax > 0 ? TAX_RATE : 0));
