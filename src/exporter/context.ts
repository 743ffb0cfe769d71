import { OPEN_SOURCE, type CatalogModel } from '../feeds/common/link.js';
import type { ProviderContext } from '../feeds/types.js';
import type { Logger } from '../log.js';
import type { Pool } from '../mysql/pool.js';

/** The context providers get; with `profiler` (exporter.profiler) each provider call's entities, ms and heap MB are logged. */
export function providerContext(db: Pool, log: Logger, tablePrefix: string, catalog: CatalogModel = OPEN_SOURCE, profiler = false): ProviderContext {
  return {
    db,
    log,
    t: (table) => tablePrefix + table,
    catalog,
    now: () => new Date(),
    profile: profiler
      ? (what, entities, ms) =>
          log.info({ operation: 'profile', provider: what, entities, ms: Math.round(ms * 10) / 10, mb: Math.round(process.memoryUsage().heapUsed / 1048576) }, 'provider timing')
      : () => undefined,
  };
}
