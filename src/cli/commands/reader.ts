import type { Command } from 'commander';
import { runParts } from './run.js';

export function registerReader(program: Command): void {
  program
    .command('reader')
    .description('tail the Commerce binlog into <prefix>.<feed>.changes (snapshot first when there is no stored position)')
    .action(async (_opts: unknown, cmd: Command) => {
      await runParts(cmd, ['reader'], undefined);
    });
}
