// Magento configuration values (core_config_data) resolved per website and store
// view. A database without the table (or the path) yields the Magento default:
// feeds must still build items from a bare catalog.
import { select } from './sql.js';
import type { ProviderContext } from '../types.js';

export interface ConfigValues {
  /** The value for a store view: stores scope, else its website, else default, else `fallback`. */
  forStore(storeId: number, websiteId: number): string;
  forWebsite(websiteId: number): string;
}

const ER_NO_SUCH_TABLE = 1146;

export async function loadConfig(ctx: ProviderContext, path: string, fallback: string): Promise<ConfigValues> {
  let rows: Array<{ scope: string; scope_id: number; value: string | null }> = [];
  try {
    rows = await select(ctx, `config.${path}`, `SELECT scope, scope_id, value FROM ${ctx.t('core_config_data')} WHERE path = ?`, [path], 0);
  } catch (e) {
    if ((e as { errno?: number }).errno !== ER_NO_SUCH_TABLE) throw e;
  }
  const byScope = new Map<string, string>();
  for (const r of rows) if (r.value !== null && r.value !== '') byScope.set(`${r.scope}/${Number(r.scope_id)}`, r.value);
  const dflt = byScope.get('default/0') ?? fallback;
  const forWebsite = (websiteId: number): string => byScope.get(`websites/${websiteId}`) ?? dflt;
  return {
    forWebsite,
    forStore: (storeId, websiteId) => byScope.get(`stores/${storeId}`) ?? forWebsite(websiteId),
  };
}
