import type { Command } from 'commander';
import { buildConfig, configLeaves, readConfigFile, type Leaf } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { describeMetrics } from '../../dashboard/metricsDoc.js';
import { ConfigError, isCdcError } from '../../errors.js';
import { scrubSecrets, SECRET_KEYS } from '../../log.js';
import { detectEdition, EDITION_NAMES } from '../../mysql/edition.js';
import { createPool, mysqlError } from '../../mysql/pool.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function defaultText(l: Leaf): string {
  if (l.defaultValue === undefined) return '';
  if (l.defaultValue === '') return '(empty)';
  return '`' + (typeof l.defaultValue === 'string' ? l.defaultValue : JSON.stringify(l.defaultValue)) + '`';
}

/** Markdown table of every key: README's Configuration section is this output. */
export function describeConfig(): string {
  const rows = configLeaves().map(
    (l) => `| \`${l.path.join('.')}\` | \`${l.env}\` | ${cell(defaultText(l))} | ${cell(l.description)} |`,
  );
  return ['| Key | Environment variable | Default | Description |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}

function redact(v: unknown, key = ''): unknown {
  if (SECRET_KEYS.some((k) => key.toLowerCase() === k.toLowerCase()) && typeof v === 'string') return v ? '[redacted]' : '';
  if (typeof v === 'string') return scrubSecrets(v, []);
  if (Array.isArray(v)) return v.map((x) => redact(x));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redact(x, k)]));
  return v;
}

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('show the effective configuration (secrets redacted), --describe every key, or --check it')
    .option('--describe', 'print every key with its environment variable, default and description (Markdown)')
    .option('--check', 'validate the file and environment; print warnings and every error')
    .option('--metrics', 'print every Prometheus metric of /metrics with its type, labels and meaning (Markdown)')
    .action(async (opts: { describe?: boolean; check?: boolean; metrics?: boolean }, cmd: Command) => {
      if (opts.metrics) {
        process.stdout.write(describeMetrics());
        return;
      }
      if (opts.describe) {
        process.stdout.write(describeConfig());
        return;
      }
      const file = (cmd.optsWithGlobals() as { config?: string }).config;
      const r = buildConfig(file ? readConfigFile(file) : {});
      for (const w of r.warnings) process.stdout.write(`warning: ${w}\n`);
      if (!r.config) {
        for (const e of r.errors) process.stdout.write(`error: ${e}\n`);
        throw new ConfigError('CONFIG_INVALID', `${r.errors.length} problem(s) in the configuration: ${r.errors.join('; ')}`, {
          fix: 'correct the listed keys in the config file or the CDC_* environment variables (README, Configuration)',
        });
      }
      if (opts.check) {
        process.stdout.write(`ok: configuration valid (${r.warnings.length} warning(s))\n`);
        await checkEdition(r.config);
        return;
      }
      process.stdout.write(JSON.stringify(redact(r.config), null, 2) + '\n');
    });
}

/**
 * The catalog's edition, read from the database's schema as the connector reads it at start.
 * A schema that is neither edition fails the check; an unreachable database is only a warning
 * (the configuration itself is valid).
 */
async function checkEdition(config: Config): Promise<void> {
  const pool = createPool({ ...config.mysql, connectionLimit: 1 });
  try {
    const conn = await pool.getConnection().catch((e: unknown) => {
      throw mysqlError(e, config.mysql);
    });
    conn.release();
    const e = await detectEdition(pool, config.mysql.tablePrefix, config.mysql.database);
    process.stdout.write(`edition: ${EDITION_NAMES[e.edition]} (${e.evidence})\n`);
  } catch (e) {
    if (isCdcError(e) && e.code.startsWith('MYSQL_EDITION')) throw e;
    process.stdout.write(`warning: edition not checked: ${isCdcError(e) ? e.toLine() : String(e)}\n`);
  } finally {
    await pool.end().catch(() => undefined);
  }
}
