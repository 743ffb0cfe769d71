import type { Command } from 'commander';
import { runParts } from './run.js';

export function registerPublisher(program: Command): void {
  program
    .command('publisher')
    .description('run the publisher of one feed: items topic → downstream HTTP, statuses to the status topic')
    .requiredOption('--feed <feed>', 'the feed to publish')
    .action(async (opts: { feed: string }, cmd: Command) => {
      await runParts(cmd, ['publisher'], [opts.feed]);
    });
}
