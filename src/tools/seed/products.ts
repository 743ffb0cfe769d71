// Products: simple, virtual, downloadable and bundle products and configurable
// parents with their children; EAV values with per-store overrides, website
// assignments and category links. Ids are assigned here and never read back.
import { DAY, Rng, slug, sqlTime } from './random.js';
import { configurablePlan } from './options.js';
import { ATTRIBUTE_SET_PRODUCT, eavColumns, overrideStores, writeEntity, type Attribute, type ProductInfo, type ProductType, type SeedContext } from './context.js';

const ADJECTIVES = ['Aero', 'Breathe', 'Cascade', 'Driven', 'Echo', 'Fusion', 'Glacier', 'Harmony', 'Iris', 'Juno', 'Kratos', 'Lumen', 'Mistral', 'Nova', 'Orion', 'Pulse', 'Quest', 'Radiant', 'Summit', 'Tempo'];
const NOUNS = ['Jacket', 'Hoodie', 'Tee', 'Tank', 'Short', 'Pant', 'Legging', 'Backpack', 'Duffle', 'Watch', 'Bottle', 'Mat', 'Band', 'Sneaker', 'Cap', 'Sock', 'Vest', 'Pullover', 'Bra', 'Jogger'];

export interface ProductPlan extends ProductInfo {
  /** super attributes (configurable parents) */
  superAttributes: Attribute[];
  /** option id per super attribute (configurable children) */
  superValues: Map<number, number>;
  children: number[];
  specialPrice: string | null;
  hasCustomOptions: boolean;
  images: number;
}

/** Decides every product before anything is written: later steps need the whole catalog. */
export function planProducts(ctx: Pick<SeedContext, 'o' | 'scopes' | 'eav' | 'categories'>): ProductPlan[] {
  const { o, scopes, eav } = ctx;
  const rng = new Rng(o.seed, 'products');
  const { own: configurables, shared } = configurablePlan(o);
  const singles = o.products - shared - configurables * (1 + o.childrenPerConfigurable);
  const units: Array<ProductType> = [];
  for (let i = 0; i < singles; i++) {
    const r = rng.next();
    units.push(r < 0.02 && singles > 20 ? 'bundle' : r < 0.05 ? 'downloadable' : r < 0.1 ? 'virtual' : 'simple');
  }
  // every product type at least once, so that small test catalogs reach every feed table
  if (singles >= 10) {
    const missing = (['bundle', 'downloadable', 'virtual'] as const).filter((t) => !units.includes(t));
    for (const [i, t] of missing.entries()) units[i] = t;
  }
  for (let i = 0; i < configurables; i++) units.push('configurable');
  rng.shuffle(units);

  const websiteIds = scopes.websites.map((w) => w.id);
  const linkable = ctx.categories.filter((c) => c.level >= 2).map((c) => c.id);
  const plans: ProductPlan[] = [];
  let id = 1;
  const base = (type: ProductType, parent: ProductPlan | null): ProductPlan => {
    const pid = id++;
    const name = parent ? parent.name : `${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)}`;
    let websites = websiteIds;
    if (parent) websites = parent.websiteIds;
    else if (websiteIds.length > 1 && rng.chance(0.2)) {
      const dropped = rng.pick(websiteIds);
      websites = websiteIds.filter((w) => w !== dropped);
    }
    const priced = type !== 'configurable' && !(type === 'bundle' && rng.chance(0.5));
    const price = priced ? rng.money(5, 400) : null;
    return {
      id: pid,
      sku: `SKU-${String(pid).padStart(6, '0')}`,
      type, name, urlKey: `${slug(name)}-${pid}`, price, parentId: parent?.id ?? null,
      websiteIds: websites,
      categoryIds: parent || linkable.length === 0 ? [] : rng.sample(linkable, rng.int(1, 3)).sort((a, b) => a - b),
      visible: !parent, enabled: rng.chance(0.97), qty: 0,
      superAttributes: [], superValues: new Map(), children: [],
      specialPrice: price && rng.chance(0.15) ? (Number(price) * 0.8).toFixed(2) : null,
      hasCustomOptions: (type === 'simple' || type === 'virtual') && !parent && rng.chance(0.1),
      images: parent ? (rng.chance(0.5) ? 1 : 0) : rng.int(1, 3),
    };
  };
  for (const type of units) {
    const p = base(type, null);
    plans.push(p);
    if (type !== 'configurable') continue;
    p.superAttributes = pickSuperAttributes(rng, eav.superCandidates, o.childrenPerConfigurable);
    const combos = rng.sample(combinations(p.superAttributes), o.childrenPerConfigurable);
    for (const combo of combos) {
      const child = base('simple', p);
      child.superValues = combo;
      const labels = p.superAttributes.map((a) => a.optionLabels.get(combo.get(a.id)!)!);
      child.sku = `${p.sku}-${labels.map((l) => slug(l)).join('-')}`;
      child.name = `${p.name} ${labels.join(' ')}`;
      child.urlKey = `${slug(child.name)}-${child.id}`;
      p.children.push(child.id);
      plans.push(child);
    }
  }
  // parents sharing the children of one with its own, in the same websites with the same super attributes
  const owners = plans.filter((p) => p.type === 'configurable');
  for (let i = 0; i < shared; i++) {
    const owner = owners[i]!;
    const p = base('configurable', null);
    p.websiteIds = owner.websiteIds;
    p.superAttributes = owner.superAttributes;
    p.children = owner.children;
    plans.push(p);
  }
  return plans;
}

function pickSuperAttributes(rng: Rng, candidates: Attribute[], needed: number): Attribute[] {
  const [color, size, ...others] = candidates;
  const first = rng.chance(0.6) ? [color!, size!] : rng.chance(0.5) ? [color!] : [rng.pick([size!, ...others])];
  const chosen = [...first];
  // enough option combinations for the children
  for (const extra of [color!, size!, ...others]) {
    if (combos(chosen) >= needed) break;
    if (!chosen.includes(extra)) chosen.push(extra);
  }
  return chosen;
}

const combos = (attrs: Attribute[]) => attrs.reduce((n, a) => n * a.options.length, 1);

function combinations(attrs: Attribute[]): Array<Map<number, number>> {
  let out: Array<Map<number, number>> = [new Map()];
  for (const a of attrs) out = out.flatMap((m) => a.options.map((opt) => new Map([...m, [a.id, opt]])));
  return out;
}

/** Entities, EAV values, websites, category links and the configurable/bundle/downloadable structure. */
export async function writeProducts(ctx: SeedContext, plans: ProductPlan[]): Promise<void> {
  const { w, o, eav, scopes } = ctx;
  const rng = new Rng(o.seed, 'product-values');
  const a = (code: string) => eav.product.get(code)!.id;
  const created = (pid: number) => sqlTime(o.today, -45 * DAY + pid * 7);
  const EAV_COLUMNS = eavColumns(o.edition);
  for (const p of plans) {
    const optionsRequired = p.type === 'configurable' || p.type === 'bundle';
    await writeEntity(w, o.edition, 'product', ['entity_id', 'attribute_set_id', 'type_id', 'sku', 'has_options', 'required_options', 'created_at', 'updated_at'], [
      p.id, ATTRIBUTE_SET_PRODUCT, p.type, p.sku, optionsRequired || p.hasCustomOptions ? 1 : 0, optionsRequired ? 1 : 0,
      created(p.id), sqlTime(o.today, -DAY * rng.int(1, 20)),
    ]);
    const varchar = (code: string, v: string, store = 0) => w.row('catalog_product_entity_varchar', EAV_COLUMNS, [a(code), store, p.id, v]);
    const text = (code: string, v: string, store = 0) => w.row('catalog_product_entity_text', EAV_COLUMNS, [a(code), store, p.id, v]);
    const int = (code: string, v: number, store = 0) => w.row('catalog_product_entity_int', EAV_COLUMNS, [a(code), store, p.id, v]);
    const decimal = (code: string, v: string, store = 0) => w.row('catalog_product_entity_decimal', EAV_COLUMNS, [a(code), store, p.id, v]);
    const datetime = (code: string, v: string, store = 0) => w.row('catalog_product_entity_datetime', EAV_COLUMNS, [a(code), store, p.id, v]);

    await varchar('name', p.name);
    await varchar('url_key', p.urlKey);
    await varchar('meta_title', p.name);
    await varchar('meta_description', `${p.name} from our ${p.type} range`);
    await varchar('options_container', 'container2');
    await text('description', `<p>The ${p.name} is built for every day. Item ${p.sku}.</p>`);
    await text('short_description', `${p.name}, ${p.type}.`);
    await text('meta_keyword', `${p.name.toLowerCase()}, ${p.sku.toLowerCase()}`);
    await int('status', p.enabled ? 1 : 2);
    await int('visibility', p.visible ? (rng.chance(0.9) ? 4 : rng.pick([2, 3])) : 1);
    await int('tax_class_id', rng.chance(0.85) ? 2 : 4);
    await int('quantity_and_stock_status', 1);
    if (p.price) await decimal('price', p.price);
    if (p.price && rng.chance(0.3)) await decimal('cost', (Number(p.price) * 0.5).toFixed(2));
    if (p.specialPrice) {
      await decimal('special_price', p.specialPrice);
      await datetime('special_from_date', sqlTime(o.today, -DAY * rng.int(1, 10)));
    }
    if (p.type === 'simple' || p.type === 'bundle') await decimal('weight', rng.money(0.1, 12));
    if (rng.chance(0.1)) await datetime('news_from_date', sqlTime(o.today, -DAY * rng.int(1, 30)));
    if (rng.chance(0.3)) await int('manufacturer', rng.pick(eav.product.get('manufacturer')!.options));
    if (rng.chance(0.2)) await varchar('country_of_manufacture', rng.pick(['US', 'DE', 'FR', 'CN', 'VN']));
    if (p.type === 'bundle') {
      await int('price_type', p.price ? 1 : 0);
      await int('sku_type', 1);
      await int('weight_type', 1);
      await int('shipment_type', 0);
      await int('price_view', 0);
    }
    if (p.type === 'downloadable') {
      await int('links_purchased_separately', 1);
      await varchar('links_title', 'Links');
      await varchar('samples_title', 'Samples');
      await int('links_exist', 1);
    }
    if (p.superValues.size > 0) {
      for (const [attributeId, optionId] of p.superValues) await w.row('catalog_product_entity_int', EAV_COLUMNS, [attributeId, 0, p.id, optionId]);
    } else if (p.type === 'simple' && p.parentId === null) {
      if (rng.chance(0.4)) await int('color', rng.pick(eav.product.get('color')!.options));
      if (rng.chance(0.3)) await int('size', rng.pick(eav.product.get('size')!.options));
    }
    for (const attr of eav.userProduct) {
      if (!rng.chance(0.5) || p.superValues.has(attr.id)) continue;
      if (attr.input === 'select') await w.row('catalog_product_entity_int', EAV_COLUMNS, [attr.id, 0, p.id, rng.pick(attr.options)]);
      else if (attr.input === 'multiselect') await w.row('catalog_product_entity_varchar', EAV_COLUMNS, [attr.id, 0, p.id, rng.sample(attr.options, rng.int(1, 3)).sort((x, y) => x - y).join(',')]);
      else if (attr.input === 'boolean') await w.row('catalog_product_entity_int', EAV_COLUMNS, [attr.id, 0, p.id, rng.int(0, 1)]);
      else if (attr.input === 'text') await w.row('catalog_product_entity_varchar', EAV_COLUMNS, [attr.id, 0, p.id, `${attr.code} ${rng.int(1, 99)}`]);
      else if (attr.input === 'textarea') await w.row('catalog_product_entity_text', EAV_COLUMNS, [attr.id, 0, p.id, `${attr.code} notes for ${p.sku}`]);
      else if (attr.input === 'price') await w.row('catalog_product_entity_decimal', EAV_COLUMNS, [attr.id, 0, p.id, rng.money(1, 99)]);
      else if (attr.input === 'date') await w.row('catalog_product_entity_datetime', EAV_COLUMNS, [attr.id, 0, p.id, sqlTime(o.today, -DAY * rng.int(1, 300))]);
    }
    // store-view overrides: what the products feed must resolve per store
    for (const s of overrideStores(scopes)) {
      if (rng.chance(0.3)) await varchar('name', `${p.name} (${s.code})`, s.id);
      if (rng.chance(0.2)) await text('description', `<p>${p.name} for ${s.name}.</p>`, s.id);
      if (rng.chance(0.02)) await int('status', 2, s.id);
    }
    for (const websiteId of p.websiteIds) await w.row('catalog_product_website', ['product_id', 'website_id'], [p.id, websiteId]);
    for (const [i, categoryId] of p.categoryIds.entries()) {
      await w.row('catalog_category_product', ['category_id', 'product_id', 'position'], [categoryId, p.id, i + rng.int(0, 20)]);
    }
  }
  await writeConfigurables(ctx, plans);
  await writeBundlesAndDownloadables(ctx, plans);
}

async function writeConfigurables(ctx: SeedContext, plans: ProductPlan[]): Promise<void> {
  const { w } = ctx;
  let superId = 1;
  for (const p of plans) {
    if (p.type !== 'configurable') continue;
    for (const [position, attr] of p.superAttributes.entries()) {
      await w.row('catalog_product_super_attribute', ['product_super_attribute_id', 'product_id', 'attribute_id', 'position'], [superId, p.id, attr.id, position]);
      await w.row('catalog_product_super_attribute_label', ['product_super_attribute_id', 'store_id', 'use_default', 'value'], [superId, 0, 1, attr.label]);
      superId++;
    }
    for (const child of p.children) {
      await w.row('catalog_product_super_link', ['product_id', 'parent_id'], [child, p.id]);
      await w.row('catalog_product_relation', ['parent_id', 'child_id'], [p.id, child]);
    }
  }
}

async function writeBundlesAndDownloadables(ctx: SeedContext, plans: ProductPlan[]): Promise<void> {
  const { w, o } = ctx;
  const rng = new Rng(o.seed, 'bundles');
  const simples = plans.filter((p) => p.type === 'simple' && p.parentId === null).map((p) => p.id);
  let optionId = 1;
  let selectionId = 1;
  let linkId = 1;
  let sampleId = 1;
  // Adobe Commerce allocates bundle option and selection ids in sequences: every version of the bundle repeats them
  const sequenced = o.edition === 'commerce';
  for (const p of plans) {
    if (p.type === 'bundle' && simples.length > 0) {
      const children = new Set<number>();
      for (let i = 0; i < 2; i++, optionId++) {
        if (sequenced) await w.row('sequence_product_bundle_option', ['sequence_value'], [optionId]);
        await w.row('catalog_product_bundle_option', ['option_id', 'parent_id', 'required', 'position', 'type'], [optionId, p.id, 1, i, rng.pick(['select', 'radio', 'checkbox'])]);
        await w.row('catalog_product_bundle_option_value', ['option_id', 'parent_product_id', 'store_id', 'title'], [optionId, p.id, 0, i === 0 ? 'Main item' : 'Add-on']);
        for (const [pos, child] of rng.sample(simples, rng.int(2, 3)).entries()) {
          if (sequenced) await w.row('sequence_product_bundle_selection', ['sequence_value'], [selectionId]);
          await w.row('catalog_product_bundle_selection', ['selection_id', 'option_id', 'parent_product_id', 'product_id', 'position', 'is_default', 'selection_price_type', 'selection_price_value', 'selection_qty', 'selection_can_change_qty'], [
            selectionId++, optionId, p.id, child, pos, pos === 0 ? 1 : 0, 0, p.price ? rng.money(1, 50) : '0.00', '1.0000', 1,
          ]);
          children.add(child);
        }
      }
      for (const child of [...children].sort((x, y) => x - y)) await w.row('catalog_product_relation', ['parent_id', 'child_id'], [p.id, child]);
    }
    if (p.type === 'downloadable') {
      const links = rng.int(1, 2);
      for (let i = 0; i < links; i++, linkId++) {
        await w.row('downloadable_link', ['link_id', 'product_id', 'sort_order', 'number_of_downloads', 'is_shareable', 'link_url', 'link_type', 'sample_url', 'sample_type'], [
          linkId, p.id, i, rng.pick([0, 3, 10]), rng.pick([0, 1, 2]), `https://downloads.example.com/${p.sku.toLowerCase()}-${i + 1}.zip`, 'url',
          `https://downloads.example.com/${p.sku.toLowerCase()}-${i + 1}-sample.zip`, 'url',
        ]);
        await w.row('downloadable_link_title', ['link_id', 'store_id', 'title'], [linkId, 0, `Part ${i + 1}`]);
        await w.row('downloadable_link_price', ['link_id', 'website_id', 'price'], [linkId, 0, rng.money(1, 20)]);
      }
      await w.row('downloadable_sample', ['sample_id', 'product_id', 'sample_url', 'sample_type', 'sort_order'], [sampleId, p.id, `https://downloads.example.com/${p.sku.toLowerCase()}-preview.pdf`, 'url', 0]);
      await w.row('downloadable_sample_title', ['sample_id', 'store_id', 'title'], [sampleId, 0, 'Preview']);
      sampleId++;
    }
  }
}
