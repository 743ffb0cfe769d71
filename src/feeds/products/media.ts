// images[] of a product item from the media gallery: the images linked to the
// product, their label/position/disabled flag in the store view (else the default
// row), and the roles (image, small_image, thumbnail, swatch_image) whose value in
// that store view is the image's file. A disabled image keeps its place with the
// role "hide_from_pdp", as Adobe's MediaResource documents. The gallery's product side is
// the link field (row_id of the current version on Adobe Commerce).
import type { LinkIds } from '../common/link.js';
import { byNumber, select } from '../common/sql.js';
import type { ProviderContext } from '../types.js';
import type { ProductScope } from './base.js';
import type { ScopedValues } from './scalars.js';

export const IMAGE_ROLES = ['image', 'small_image', 'thumbnail', 'swatch_image'] as const;

/** Media paths are relative to the media base URL (web config is not in the catalog tables). */
export const MEDIA_PREFIX = 'catalog/product';

export interface Image {
  resource: { url: string; label: string; roles: string[] };
  sortOrder: string;
}

interface GalleryRow {
  link: number;
  value_id: number;
  file: string | null;
  disabled: number;
}
interface GalleryValueRow {
  value_id: number;
  link: number;
  store_id: number;
  label: string | null;
  position: number | null;
  disabled: number;
}

export interface ProductImages {
  forScope(scope: ProductScope, values: ScopedValues): Image[];
}

/** Images of the batch's products (`batch.links`: their current versions), by entity id. */
export async function loadImages(ctx: ProviderContext, batch: LinkIds, storeIds: number[]): Promise<ProductImages> {
  const column = ctx.catalog.product.column;
  const links = batch.links;
  const [gallery, perStore] = links.length
    ? await Promise.all([
        select<GalleryRow>(
          ctx,
          'products.media',
          `SELECT e.${column} AS link, g.value_id, g.value AS file, g.disabled
             FROM ${ctx.t('catalog_product_entity_media_gallery_value_to_entity')} e
             JOIN ${ctx.t('catalog_product_entity_media_gallery')} g ON g.value_id = e.value_id
            WHERE e.${column} IN (?) AND g.media_type = 'image'`,
          [links],
          links.length,
        ),
        select<GalleryValueRow>(
          ctx,
          'products.media.values',
          `SELECT value_id, ${column} AS link, store_id, label, position, disabled
             FROM ${ctx.t('catalog_product_entity_media_gallery_value')}
            WHERE ${column} IN (?) AND store_id IN (?)`,
          [links, [0, ...storeIds]],
          links.length,
        ),
      ])
    : [[], []];
  const valueRows = new Map<string, GalleryValueRow>(perStore.map((v) => [`${batch.entityOf(Number(v.link))}/${v.value_id}/${v.store_id}`, v]));
  const byProduct = new Map<number, GalleryRow[]>();
  for (const g of gallery) {
    const productId = batch.entityOf(Number(g.link));
    if (!g.file || productId === undefined) continue;
    const list = byProduct.get(productId) ?? [];
    list.push(g);
    byProduct.set(productId, list);
  }
  return {
    forScope({ product, view }, values) {
      const roleFiles = IMAGE_ROLES.map((role) => [role, values.get(role)] as const);
      const images = (byProduct.get(product.productId) ?? []).map((g) => {
        const own = valueRows.get(`${product.productId}/${g.value_id}/${view.storeId}`);
        const dflt = valueRows.get(`${product.productId}/${g.value_id}/0`);
        const label = own?.label ?? dflt?.label ?? '';
        const position = own?.position ?? dflt?.position ?? null;
        const disabled = Number(g.disabled) === 1 || Number((own ?? dflt)?.disabled ?? 0) === 1;
        const roles = roleFiles.filter(([, file]) => file === g.file).map(([role]) => role as string);
        if (disabled) roles.push('hide_from_pdp');
        return { valueId: Number(g.value_id), position, image: { resource: { url: `${MEDIA_PREFIX}${g.file}`, label, roles }, sortOrder: String(position ?? 0) } };
      });
      // Unpositioned images go last, in upload (value_id) order.
      images.sort(
        (a, b) => (a.position ?? Number.MAX_SAFE_INTEGER) - (b.position ?? Number.MAX_SAFE_INTEGER) || byNumber(a.valueId, b.valueId),
      );
      return images.map((i) => i.image);
    },
  };
}
