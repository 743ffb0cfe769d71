import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createLogger, type Logger } from '../log.js';

/** Loads the config named by the global --config option (plus CDC_* env) and a logger at its level. */
export function cliContext(cmd: Command): { config: Config; log: Logger; warnings: string[] } {
  const file = (cmd.optsWithGlobals() as { config?: string }).config;
  const { config, warnings } = loadConfig(file);
  const log = createLogger({ level: config.logLevel });
  for (const w of warnings) log.warn({ operation: 'config' }, w);
  return { config, log, warnings };
}

/** Every configured secret, for scrubbing error messages and URLs before they are printed. */
export function configSecrets(c: Config): string[] {
  return [c.mysql.password, c.kafka.sasl?.password, c.registry.password, c.publisher.apiKey, c.dashboard.token].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}
