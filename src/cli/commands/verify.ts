import { writeFileSync, renameSync } from 'node:fs';
import type { Command } from 'commander';
import { createClients } from '../../connector.js';
import { CdcError } from '../../errors.js';
import { resolveFeed } from '../../feeds/index.js';
import { withKafkaErrors } from '../../kafka/errors.js';
import { Metrics } from '../../metrics.js';
import { cliContext } from '../../ops/cliContext.js';
import { configuredFeeds } from '../../ops/status/index.js';
import { findingLine } from '../../ops/verify/compare.js';
import { verifyFeed, type FeedVerification } from '../../ops/verify/index.js';

const count = (v: FeedVerification, kind: string) => v.findings.filter((f) => f.kind === kind).length;

function summary(v: FeedVerification): string {
  const kinds = ['differs', 'missing', 'delete', 'undelivered', 'unassembled'].map((k) => `${count(v, k)} ${k}`).join(', ');
  const status = v.statusChecked ? '' : ' (statuses not checked: publisher.downstream is kafka)';
  return `${v.feed}: ${v.ids} source id(s), ${v.items} item(s) assembled, ${v.topicItems} in the items topic: ${v.findings.length ? kinds : 'equal'}${status}`;
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('compare a fresh assembly from the database with the items topic and the delivery statuses (reads only); exit 1 when they differ')
    .option('--feed <name>', 'the feed; default every configured feed')
    .option('--sample <n>', 'assemble this many random source ids only (and compare only their items)')
    .option('--limit <n>', 'findings printed per feed', '50')
    .option('--timeout <seconds>', 'give up reading the topics to their end after this long', '120')
    .option('--metrics-file <path>', 'also write the result as Prometheus text (node_exporter textfile collector)')
    .option('--json', 'print the findings as JSON')
    .action(async (opts: { feed?: string; sample?: string; limit: string; timeout: string; metricsFile?: string; json?: boolean }, cmd: Command) => {
      const { config, log } = cliContext(cmd);
      const positive = (name: string, v: string | undefined) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new CdcError('CLI_USAGE', `${name} must be a positive integer, got "${v}"`, { fix: `e.g. ${name} 1000` });
        return n;
      };
      const sample = positive('--sample', opts.sample);
      const limit = positive('--limit', opts.limit)!;
      const feeds = opts.feed ? [resolveFeed(opts.feed)] : configuredFeeds(config).map((f) => resolveFeed(f));
      const { kafka, decoder } = createClients(config, log);
      const metrics = new Metrics({ defaults: false });
      const results: FeedVerification[] = [];
      for (const feed of feeds) {
        const v = await withKafkaErrors(config, () => verifyFeed({ config, log, kafka, decoder, feed, sample, metrics, timeoutMs: Number(opts.timeout) * 1000 }));
        results.push(v);
        if (opts.json) continue;
        process.stdout.write(summary(v) + '\n');
        for (const f of v.findings.slice(0, limit)) process.stdout.write(`  ${findingLine(v.feed, f)}\n`);
        if (v.findings.length > limit) process.stdout.write(`  ... and ${v.findings.length - limit} more (--limit)\n`);
      }
      if (opts.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n');
      if (opts.metricsFile) {
        const text = (await metrics.registry.getSingleMetricAsString('cdc_verify_differences')) + '\n' + (await metrics.registry.getSingleMetricAsString('cdc_verify_last_run_timestamp_seconds')) + '\n';
        // the collector must never read a half-written file
        writeFileSync(`${opts.metricsFile}.tmp`, text);
        renameSync(`${opts.metricsFile}.tmp`, opts.metricsFile);
      }
      if (results.some((r) => r.findings.length)) process.exitCode = 1;
    });
}
