import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { createKafka } from '../../kafka/client.js';
import { Supervisor } from '../../lifecycle.js';
import { createLogger } from '../../log.js';
import { Metrics } from '../../metrics.js';
import { preflight } from '../../preflight.js';
import { createReader } from '../../reader/index.js';

export function registerReader(program: Command): void {
  program
    .command('reader')
    .description('tail the Commerce binlog into <prefix>.<feed>.changes (snapshot first when there is no stored position)')
    .action(async (_opts: unknown, cmd: Command) => {
      const { config, warnings } = loadConfig((cmd.optsWithGlobals() as { config?: string }).config);
      const log = createLogger({ level: config.logLevel });
      for (const w of warnings) log.warn({ operation: 'config' }, w);
      await preflight(config, { log, needs: { mysql: true, binlog: true, kafka: true, registry: true } });
      const reader = createReader({ config, log, kafka: createKafka(config, log), metrics: new Metrics() });
      await new Supervisor([reader], log).run();
    });
}
