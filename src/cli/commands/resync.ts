import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { CdcError } from '../../errors.js';
import { resolveFeed } from '../../feeds/index.js';
import { cliContext } from '../../ops/cliContext.js';
import { resync, type ResyncResult } from '../../ops/resync/index.js';
import { parseIdType } from '../../ops/resync/ids.js';

interface Opts {
  feed: string;
  reindex: boolean;
  cleanupFeed?: boolean;
  dryRun?: boolean;
  batchSize?: string;
  threadCount?: string;
  byIds?: string;
  idType?: string;
  continueResync?: boolean;
  yes?: boolean;
}

function positive(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CdcError('CLI_USAGE', `${name} must be a positive integer, got "${v}"`, { fix: `e.g. ${name} 500` });
  return n;
}

async function confirmCleanup(feed: string, prefix: string): Promise<void> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new CdcError('CLI_USAGE', `--cleanup-feed removes every item and status of ${feed} and needs confirmation, but this is not an interactive terminal`, {
      fix: 'add --yes to confirm, or --dry-run to only assemble',
    });
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`--cleanup-feed removes every item and status of the ${feed} feed (prefix ${prefix}); deletes not yet sent are lost. Type "yes" to continue: `);
    if (answer.trim().toLowerCase() !== 'yes') throw new CdcError('CLI_USAGE', 'cleanup not confirmed; nothing done', { fix: 'answer "yes", or pass --yes' });
  } finally {
    rl.close();
  }
}

function summary(r: ResyncResult): string {
  const s = (r.elapsedMs / 1000).toFixed(1);
  switch (r.mode) {
    case 'skipped':
      return `operation skipped - process locked by ${r.lockedBy}`;
    case 'dry-run':
      return `dry run: ${r.feed}: ${r.count} item(s) assembled${r.ids !== undefined ? ` from ${r.ids} id(s)` : ''}; nothing written or sent (${s}s)`;
    case 'no-reindex':
      return `resync ${r.feed}: ${r.count} item(s) re-written from the items topic for the publisher to resend, no database reads (${s}s)`;
    default:
      return (
        `resync ${r.feed}: ${r.count} id(s) ${r.mode === 'by-ids' ? 'forced' : 'triggered'} and assembled` +
        `${r.tombstones ? `, ${r.tombstones} record(s) cleaned up first` : ''}` +
        `${r.unknownIds?.length ? `; not found: ${r.unknownIds.join(', ')}` : ''}` +
        ` (${s}s${r.exporterInProcess ? ', exporter run in this process' : ', by the running exporter group'})`
      );
  }
}

export function registerResync(program: Command): void {
  program
    .command('resync')
    .description('resynchronise a feed, like bin/magento saas:resync')
    .requiredOption('--feed <name>', 'the feed (Adobe spelling or lower case: products, productattributes, ...)')
    .option('--no-reindex', 'resend what the items topic holds, without reading the database')
    .option('--cleanup-feed', 'tombstone the feed\'s items and statuses first, then a full resync (asks for confirmation)')
    .option('--dry-run', 'assemble the items and log their payloads; write and send nothing')
    .option('--batch-size <n>', 'entity ids per provider batch for this run')
    .option('--thread-count <n>', 'provider batches at once for this run')
    .option('--by-ids <list>', 'only these comma-separated ids; resent even when unchanged')
    .option('--id-type <type>', 'what --by-ids names: sku (default) or productId')
    .option('--continue-resync', 'start after the largest source id the items topic already holds')
    .option('-y, --yes', 'confirm --cleanup-feed without asking')
    .action(async (opts: Opts, cmd: Command) => {
      const { config, log } = cliContext(cmd);
      const feed = resolveFeed(opts.feed);
      const batchSize = positive('--batch-size', opts.batchSize);
      const threadCount = positive('--thread-count', opts.threadCount);
      const idType = parseIdType(opts.idType);
      if (opts.idType && !opts.byIds) throw new CdcError('CLI_USAGE', '--id-type goes with --by-ids', { fix: 'add --by-ids a,b,c' });
      if (opts.byIds && opts.continueResync) throw new CdcError('CLI_USAGE', '--by-ids and --continue-resync do not go together', { fix: 'use one of them' });
      if (!opts.reindex && (opts.byIds || opts.continueResync)) {
        throw new CdcError('CLI_USAGE', '--no-reindex resends the whole items topic; it takes no --by-ids or --continue-resync', { fix: 'drop one of the options' });
      }
      if (opts.cleanupFeed && !opts.dryRun && !opts.yes) await confirmCleanup(feed.name, config.prefix);
      const r = await resync(config, log, {
        feed,
        noReindex: !opts.reindex,
        cleanupFeed: opts.cleanupFeed,
        dryRun: opts.dryRun,
        batchSize,
        threadCount,
        byIds: opts.byIds?.split(','),
        idType,
        continueResync: opts.continueResync,
        tty: Boolean(process.stderr.isTTY),
      });
      process.stdout.write(summary(r) + '\n');
    });
}
