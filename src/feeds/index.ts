// The feed registry. Each feed lives in src/feeds/<feed>/index.ts and exports
// `definition: FeedDefinition`; add one import line and one entry below.
import { CdcError } from '../errors.js';
import { FEED_NAMES, type FeedDefinition, type FeedName } from './types.js';
import { definition as scopesWebsite } from './scopesWebsite/index.js';
import { definition as scopesCustomerGroup } from './scopesCustomerGroup/index.js';
import { definition as productAttributes } from './productAttributes/index.js';
import { definition as products } from './products/index.js';
import { definition as prices } from './prices/index.js';
import { definition as variants } from './variants/index.js';
import { definition as categories } from './categories/index.js';
import { definition as inventoryStockStatus } from './inventoryStockStatus/index.js';
import { definition as orders } from './orders/index.js';
import { definition as categoryPermissions } from './categoryPermissions/index.js';
import { definition as productOverrides } from './productOverrides/index.js';

const DEFINITIONS: Partial<Record<FeedName, FeedDefinition>> = {
  prices,
  variants,
  categories,
  inventoryStockStatus,
  orders,
  categoryPermissions,
  productOverrides,
  scopesWebsite,
  scopesCustomerGroup,
  productAttributes,
  products,
};

export function allFeeds(): FeedDefinition[] {
  return FEED_NAMES.flatMap((n) => (DEFINITIONS[n] ? [DEFINITIONS[n]] : []));
}

/** Resolves Adobe's spellings and lower-case aliases (`productattributes`) to a feed. */
export function resolveFeed(name: string): FeedDefinition {
  const wanted = name.trim().toLowerCase();
  for (const f of allFeeds()) {
    if (f.name.toLowerCase() === wanted || f.aliases.some((a) => a.toLowerCase() === wanted)) return f;
  }
  throw new CdcError('FEED_UNKNOWN', `unknown feed "${name}"`, {
    fix: `use one of: ${allFeeds().map((f) => f.name).join(', ')}`,
  });
}
