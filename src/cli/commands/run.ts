import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { createConnector, type PartKind } from '../../connector.js';
import type { RunResync } from '../../dashboard/resync.js';
import { resolveFeed } from '../../feeds/index.js';
import { createLogger } from '../../log.js';
import { resync } from '../../ops/resync/index.js';

/** Shared by run, exporter and publisher: load the config, build the connector, supervise until a signal or a failure. */
export async function runParts(cmd: Command, parts: PartKind[], feeds: string[] | undefined): Promise<void> {
  const { config, warnings } = loadConfig((cmd.optsWithGlobals() as { config?: string }).config);
  const log = createLogger({ level: config.logLevel });
  for (const w of warnings) log.warn({ operation: 'config' }, w);
  const resyncFromPage: RunResync = ({ feed, mode, lock, onProgress }) =>
    resync(config, log, { feed: resolveFeed(feed), noReindex: mode === 'no-reindex', force: mode === 'full', tty: false, lock, onProgress });
  const connector = await createConnector(config, { parts, feeds, log, resync: parts.includes('dashboard') ? resyncFromPage : undefined });
  log.info({ operation: 'run', parts, feeds: connector.feeds.map((f) => f.name) }, 'starting');
  try {
    await connector.supervisor.run();
  } finally {
    await connector.close();
  }
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run everything in one process: reader, an exporter and a publisher per feed, the dashboard')
    .option('--feeds <list>', 'comma-separated feeds (default: exporter.feeds, else all registered)')
    .action(async (opts: { feeds?: string }, cmd: Command) => {
      const feeds = opts.feeds?.split(',').map((s) => s.trim()).filter(Boolean);
      await runParts(cmd, ['reader', 'exporter', 'publisher', 'dashboard'], feeds);
    });
}
