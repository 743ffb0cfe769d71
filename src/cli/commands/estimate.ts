import type { Command } from 'commander';
import { CdcError } from '../../errors.js';
import { allFeeds, resolveFeed } from '../../feeds/index.js';
import { cliContext } from '../../ops/cliContext.js';
import { estimate, type Estimate } from '../../ops/estimate/index.js';
import { duration } from '../../ops/status/format.js';

const int = (n: number) => n.toLocaleString('en-US');

function format(e: Estimate): string {
  const s = e.scopes;
  return [
    `${e.feed}`,
    `  entities          ${int(e.entities)} ${e.sourceEntity} id(s)`,
    `  scopes            ${s.storeViews} store view(s), ${s.websites} website(s), ${s.customerGroups} customer group(s), ${s.stocks} stock(s)`,
    `  by scopes         ${e.scopeFormula} = ${int(e.scopeItems)} item(s)`,
    `  sample            ${e.sample.ids} id(s) → ${e.sample.items} item(s) in ${e.sample.seconds}s = ${int(e.sample.itemsPerSecond)} items/s (batch ${e.batchSize}, ${e.threads} thread(s))`,
    `  expected items    ${int(e.expectedItems)}`,
    `  full resync here  ${duration(Math.round(e.seconds))} (assembly at the measured rate)`,
    `  Adobe's figure    ${duration(Math.round(e.adobe.seconds))} at ${int(e.adobe.itemsPerMinute)} items/min`,
  ].join('\n') + '\n';
}

export function registerEstimate(program: Command): void {
  program
    .command('estimate')
    .description('size of a feed and the time a full resync takes on this machine (measured), next to Adobe\'s figure')
    .option('--feed <name>', 'the feed; default every registered feed')
    .option('--sample <n>', 'ids to assemble for the measurement', '500')
    .option('--batch-size <n>', 'entity ids per provider batch')
    .option('--thread-count <n>', 'provider batches at once')
    .option('--json', 'print JSON')
    .action(async (opts: { feed?: string; sample: string; batchSize?: string; threadCount?: string; json?: boolean }, cmd: Command) => {
      const { config, log } = cliContext(cmd);
      const feeds = opts.feed ? [resolveFeed(opts.feed)] : allFeeds();
      const num = (name: string, v: string | undefined) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new CdcError('CLI_USAGE', `${name} must be a positive integer, got "${v}"`, { fix: `e.g. ${name} 500` });
        return n;
      };
      const o = { sample: num('--sample', opts.sample), batchSize: num('--batch-size', opts.batchSize), threads: num('--thread-count', opts.threadCount) };
      const results: Estimate[] = [];
      for (const f of feeds) results.push(await estimate(config, log, f, o));
      process.stdout.write(opts.json ? JSON.stringify(opts.feed ? results[0] : results, null, 2) + '\n' : results.map(format).join('\n'));
    });
}
