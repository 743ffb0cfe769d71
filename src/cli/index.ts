#!/usr/bin/env node
// The CLI is a thin edge: commands live in ./commands/<cmd>.ts; this file maps a
// user error to one line and its exit code, and prints a stack only for a bug.
import { Command, CommanderError } from 'commander';
import { isCdcError } from '../errors.js';
import { scrubSecrets } from '../log.js';
import { commands } from './commands/index.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('commerce-cdc')
    .description('Change-data-capture connector for Adobe Commerce: binlog → Kafka (Avro) → feed items → downstream')
    .option('-c, --config <file>', 'configuration file (YAML or JSON); CDC_* environment variables override it')
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0;
      process.stderr.write(`CLI_USAGE: ${e.message.replace(/^error: /, '').replace(/\.$/, '')}. Fix: see commerce-cdc --help\n`);
      return 2;
    }
    if (isCdcError(e)) {
      // credentials inside URLs (user:password@) never reach the terminal
      process.stderr.write(scrubSecrets(e.toLine(), []) + '\n');
      return e.exitCode;
    }
    process.stderr.write(scrubSecrets(`INTERNAL: unexpected error, please report it with this stack:\n${(e as Error)?.stack ?? String(e)}\n`, []));
    return 70;
  }
}

const code = await main(process.argv);
// let pino flush its async destination before exiting
setTimeout(() => process.exit(code), 50).unref();
process.exitCode = code;
