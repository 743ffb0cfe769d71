import type { Command } from 'commander';
import { createClients } from '../../connector.js';
import { cliContext } from '../../ops/cliContext.js';
import { withKafkaErrors } from '../../kafka/errors.js';
import { computeStatus } from '../../ops/status/index.js';
import { formatStatus } from '../../ops/status/format.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('per feed: items, sent, failed, pending, last change; reader position, lag and binlog retention')
    .option('--json', 'print the figures as JSON (for scripts)')
    .option('--timeout <seconds>', 'give up reading the topics to their end after this long', '60')
    .action(async (opts: { json?: boolean; timeout: string }, cmd: Command) => {
      const { config, log } = cliContext(cmd);
      const { kafka, decoder } = createClients(config, log);
      const report = await withKafkaErrors(config, () =>
        computeStatus({ config, log, kafka, decoder, timeoutMs: Number(opts.timeout) * 1000 }),
      );
      process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : formatStatus(report));
    });
}
