// What `commerce-cdc seed` generates. Every count is deterministic for a given seed.
import type { Edition } from '../../feeds/common/link.js';

export interface SeedOptions {
  /** PRNG seed: the same seed (and `today`) gives byte-identical tables. */
  seed: number;
  /** Websites besides the admin website 0. */
  websites: number;
  /** Store views besides the admin store 0, spread round-robin over the websites. */
  storeViews: number;
  /** Customer groups in total, including Magento's 0 NOT LOGGED IN, 1 General, 2 Wholesale, 3 Retailer. */
  customerGroups: number;
  /** User-defined product attributes on top of Magento's system attributes and color/size. */
  attributes: number;
  /** Categories below the Default Category (id 2). */
  categories: number;
  /** Rows in catalog_product_entity: simples, configurable parents and their children, bundles, ... */
  products: number;
  /** Configurable parents: a share of `products` when below 1, else a count. When parents with their own children do not fit, some share another parent's children (configurablePlan). */
  configurables: number;
  /** Children (variants) per configurable parent. */
  childrenPerConfigurable: number;
  /** Orders with items, payment, addresses, invoices, shipments and credit memos. */
  orders: number;
  /** The day catalog rule prices are indexed for and orders are dated around, `YYYY-MM-DD` (UTC). */
  today: string;
  /**
   * Magento Open Source (values keyed by entity_id) or Adobe Commerce with content staging
   * (row_id versions): the same catalog either way, plus scheduled updates on 'commerce'.
   */
  edition: Edition;
  /**
   * Adobe Commerce: Unix seconds the first scheduled update starts at; the others follow 5 s
   * apart. Unset: 5 s after seeding. The same seed and start give the same rows.
   */
  stagingStart?: number;
  /** Adobe Commerce: write the scheduled updates (default); false gives the base catalog only. */
  stagingUpdates: boolean;
}

export const DEFAULT_SEED_OPTIONS: Readonly<SeedOptions> = Object.freeze({
  seed: 1,
  websites: 2,
  storeViews: 4,
  customerGroups: 6,
  attributes: 20,
  categories: 30,
  products: 1000,
  configurables: 0.05,
  childrenPerConfigurable: 3,
  orders: 100,
  today: new Date().toISOString().slice(0, 10),
  edition: 'opensource',
  stagingUpdates: true,
});

/** Fills defaults and clamps counts so that the catalog is always consistent. */
export function normalizeSeedOptions(partial: Partial<SeedOptions> = {}): SeedOptions {
  const o: SeedOptions = { ...DEFAULT_SEED_OPTIONS, ...stripUndefined(partial) };
  o.websites = Math.max(1, Math.floor(o.websites));
  // every website needs at least one store view to sell anything
  o.storeViews = Math.max(o.websites, Math.floor(o.storeViews));
  o.customerGroups = Math.max(4, Math.floor(o.customerGroups));
  o.attributes = Math.max(0, Math.floor(o.attributes));
  o.categories = Math.max(0, Math.floor(o.categories));
  o.products = Math.max(0, Math.floor(o.products));
  o.childrenPerConfigurable = Math.max(1, Math.floor(o.childrenPerConfigurable));
  o.orders = Math.max(0, Math.floor(o.orders));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.today)) o.today = DEFAULT_SEED_OPTIONS.today;
  if (o.edition !== 'commerce') o.edition = 'opensource';
  if (o.stagingStart !== undefined) o.stagingStart = Math.max(1, Math.floor(o.stagingStart));
  return o;
}

/** Share of `products` kept for other types when configurables share children. */
const OTHER_TYPES_SHARE = 0.1;

/**
 * Configurable parents: `own` with children of their own, `shared` linked to the children of an `own`
 * parent with the same super attributes (a simple may belong to several configurables, as in Magento).
 * Parents share only when parents with their own children do not fit in `products`; then at most one
 * parent shares each child set, and a tenth of `products` stays for the other types.
 */
export function configurablePlan(o: SeedOptions): { own: number; shared: number } {
  const c = o.childrenPerConfigurable;
  const wanted = Math.max(0, o.configurables < 1 ? Math.floor(o.products * o.configurables) : Math.floor(o.configurables));
  const fit = Math.floor(o.products / (1 + c));
  if (wanted <= fit) return { own: wanted, shared: 0 };
  const room = o.products - Math.floor(o.products * OTHER_TYPES_SHARE);
  // wanted = own + shared, shared <= own, room >= wanted + c * own
  const most = Math.floor(room / (2 + c));
  const total = Math.min(wanted, 2 * most);
  const own = Math.max(Math.min(total, Math.floor((room - total) / c)), Math.ceil(total / 2));
  return own >= fit ? { own: fit, shared: 0 } : { own, shared: total - own };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
