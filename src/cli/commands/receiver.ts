import { Option, type Command } from 'commander';
import { CdcError } from '../../errors.js';
import { startReceiver, type FaultRule } from '../../tools/receiver/index.js';

export function registerReceiver(program: Command): void {
  program
    .command('receiver')
    .description('a sample downstream standing in for Commerce Services: prints and stores the items it receives')
    .option('--port <port>', 'listen port', '8787')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--out <file>', 'append {route, idempotencyKey, item} JSON lines to this file')
    .addOption(new Option('--faults <json>', 'JSON array of fault rules, e.g. [{"status":500,"times":2}]').env('RECEIVER_FAULTS'))
    .action(async (opts: { port: string; host: string; out?: string; faults?: string }) => {
      let faults: FaultRule[] = [];
      if (opts.faults) {
        try {
          faults = JSON.parse(opts.faults) as FaultRule[];
        } catch {
          throw new CdcError('CLI_USAGE', 'RECEIVER_FAULTS is not a JSON array of fault rules', { fix: 'e.g. RECEIVER_FAULTS=\'[{"status":500,"times":2}]\'' });
        }
      }
      const receiver = await startReceiver({ port: Number(opts.port), host: opts.host, out: opts.out, faults, print: true });
      process.stderr.write(`receiver listening on ${receiver.url}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await receiver.close();
    });
}
