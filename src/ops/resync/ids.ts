import type { FeedDefinition, ProviderContext } from '../../feeds/types.js';
import type { Kafka } from 'kafkajs';
import { CdcError } from '../../errors.js';
import type { RecordDecoder } from '../decoder.js';
import { readTopicsToEnd } from '../topicReader.js';

// Which source entity ids a resync covers: every id the provider lists (after a
// start id for --continue-resync), or the --by-ids list resolved to ids.

/** Pages of ids in ascending order after `afterId`. */
export async function* listIds(feed: FeedDefinition, ctx: ProviderContext, afterId: string | undefined, pageSize = 10_000): AsyncGenerator<string[]> {
  let after = afterId;
  for (;;) {
    const page = await feed.provider.listIds(after, pageSize, ctx);
    if (!page.length) return;
    yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1];
  }
}

export type IdType = 'sku' | 'productId';

export function parseIdType(v: string | undefined): IdType {
  const t = (v ?? 'sku').trim().toLowerCase();
  if (t === 'sku') return 'sku';
  if (t === 'productid' || t === 'product_id' || t === 'id') return 'productId';
  throw new CdcError('CLI_USAGE', `unknown --id-type "${v}"`, { fix: 'use --id-type sku (default) or --id-type productId' });
}

/** --by-ids: skus (product feeds, through catalog_product_entity) or ids as given. Unknown skus come back apart. */
export async function resolveByIds(feed: FeedDefinition, raw: string[], idType: IdType, ctx: ProviderContext): Promise<{ ids: string[]; unknown: string[] }> {
  const wanted = [...new Set(raw.map((s) => s.trim()).filter(Boolean))];
  if (!wanted.length) throw new CdcError('CLI_USAGE', '--by-ids names no id', { fix: 'pass a comma-separated list: --by-ids SKU-1,SKU-2' });
  if (idType === 'productId' || feed.sourceEntity !== 'product') {
    const bad = wanted.filter((x) => !/^\d+$/.test(x));
    if (bad.length) throw new CdcError('CLI_USAGE', `--by-ids: ${bad.join(', ')} are not numeric ids`, { fix: feed.sourceEntity === 'product' ? 'pass skus with --id-type sku' : `pass ${feed.sourceEntity} ids` });
    return { ids: wanted, unknown: [] };
  }
  const [rows] = (await ctx.db.query(`SELECT entity_id, sku FROM ${ctx.t('catalog_product_entity')} WHERE sku IN (?)`, [wanted])) as unknown as [Array<{ entity_id: string | number; sku: string }>];
  const found = new Set(rows.map((r) => r.sku.toLowerCase()));
  return {
    ids: [...new Set(rows.map((r) => String(r.entity_id)))].sort((a, b) => Number(a) - Number(b)),
    unknown: wanted.filter((s) => !found.has(s.toLowerCase())),
  };
}

/** --continue-resync: the largest source entity id the items topic already holds. */
export async function maxSourceIdInItems(kafka: Kafka, decoder: RecordDecoder, itemsTopic: string, groupPrefix: string): Promise<string | undefined> {
  let max: bigint | undefined;
  await readTopicsToEnd(
    kafka,
    [itemsTopic],
    async (_t, _p, m) => {
      if (!m.value) return;
      const rec = await decoder.decode(m.value);
      const id = String(rec.sourceEntityId ?? '');
      if (/^\d+$/.test(id) && (max === undefined || BigInt(id) > max)) max = BigInt(id);
    },
    { groupPrefix },
  );
  return max?.toString();
}
