import type { Command } from 'commander';
import { runParts } from './run.js';

export function registerExporter(program: Command): void {
  program
    .command('exporter')
    .description('run the exporter of one feed (join its consumer group; start more processes to spread partitions)')
    .requiredOption('--feed <feed>', 'the feed to export')
    .action(async (opts: { feed: string }, cmd: Command) => {
      await runParts(cmd, ['exporter'], [opts.feed]);
    });
}
