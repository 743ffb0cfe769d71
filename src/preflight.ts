// Checks every service a command needs before anything is written: no topic,
// subject or position is created when the database, the brokers or the registry
// cannot be used. Each service gets a few quick attempts (about 10 s in all), so
// a bad input exits with its one line instead of being retried forever.
import kafkajs from './kafka/kafkajs.js';
import type { Config } from './config/schema.js';
import { isCdcError, RegistryError } from './errors.js';
import { kafkaConnection } from './kafka/client.js';
import { kafkaError } from './kafka/errors.js';
import { createLogger, scrubSecrets, type Logger } from './log.js';
import { detectEdition, type EditionReport } from './mysql/edition.js';
import { createPool, mysqlError } from './mysql/pool.js';
import { checkServer } from './reader/checks.js';
import { retry } from './retry.js';

const { Kafka: KafkaCtor, logLevel } = kafkajs;

export interface PreflightNeeds {
  /** Connect to the Commerce database. */
  mysql?: boolean;
  /** The reader's binlog settings, grants and server id (implies mysql). */
  binlog?: boolean;
  /** Reach the Kafka brokers. */
  kafka?: boolean;
  /** Reach the schema registry. */
  registry?: boolean;
  /** Read the catalog's edition from the schema (implies mysql): the exporters' providers need it. */
  edition?: boolean;
}

export interface PreflightOptions {
  needs: PreflightNeeds;
  log?: Logger;
}

/** Attempts per service: ~0.5 + 1 + 2 s of backoff plus the attempts' own timeouts stay near 10 s. */
const ATTEMPTS = 3;
const BACKOFF = { initialMs: 500, maxMs: 2_000 };
const SERVICE_MS = 10_000;

/** The URL without user:password (query strings are kept: they carry no credentials in a registry URL). */
export function scrubUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/+$/, '');
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

async function checkMysql(config: Config, binlog: boolean, edition: boolean, log: Logger): Promise<EditionReport | undefined> {
  const pool = createPool({ ...config.mysql, connectionLimit: 1 });
  try {
    await retry(
      async () => {
        const conn = await pool.getConnection().catch((e: unknown) => {
          throw mysqlError(e, config.mysql);
        });
        conn.release();
      },
      { attempts: ATTEMPTS, ...BACKOFF, scale: config.retryScale },
    );
    if (binlog) {
      await checkServer(pool, config, log).catch((e: unknown) => {
        throw isCdcError(e) ? e : mysqlError(e, config.mysql);
      });
    }
    // the edition comes from the schema, never from a setting: a catalog that is neither is refused here
    if (!edition) return undefined;
    return await detectEdition(pool, config.mysql.tablePrefix, config.mysql.database).catch((e: unknown) => {
      throw isCdcError(e) ? e : mysqlError(e, config.mysql);
    });
  } finally {
    await pool.end().catch(() => undefined);
  }
}

async function checkKafka(config: Config): Promise<void> {
  // the process' client retries for minutes; this one gives up within the service budget
  const kafka = new KafkaCtor({
    ...kafkaConnection(config),
    connectionTimeout: 3_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  await retry(
    async () => {
      const admin = kafka.admin();
      try {
        await withDeadline(
          (async () => {
            await admin.connect();
            await admin.describeCluster();
          })(),
          Math.round(SERVICE_MS / 2),
          () => new Error(`Connection timeout after ${Math.round(SERVICE_MS / 2)} ms`),
        );
      } catch (e) {
        throw kafkaError(e, config);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    { attempts: ATTEMPTS, ...BACKOFF, scale: config.retryScale },
  );
}

async function checkRegistry(config: Config): Promise<void> {
  const r = config.registry;
  const shown = scrubUrl(r.url);
  const headers: Record<string, string> = { accept: 'application/json' };
  const u = new URL(r.url);
  const username = r.username ?? (u.username ? decodeURIComponent(u.username) : undefined);
  const password = r.password ?? (u.password ? decodeURIComponent(u.password) : undefined);
  if (username) headers.authorization = 'Basic ' + Buffer.from(`${username}:${password ?? ''}`).toString('base64');
  u.username = '';
  u.password = '';
  const url = `${u.toString().replace(/\/+$/, '')}/subjects`;
  const secrets = [r.password, password];
  const fail = (why: string, cause?: unknown) =>
    new RegistryError('REGISTRY_UNREACHABLE', scrubSecrets(`cannot reach the schema registry at ${shown} (${why})`, secrets), {
      fix: 'check registry.url (CDC_REGISTRY_URL), registry.username and registry.password, and that the registry runs',
      cause,
    });
  await retry(
    async () => {
      let res: Response;
      try {
        res = await fetch(url, { headers, signal: AbortSignal.timeout(Math.round(SERVICE_MS / 3)) });
      } catch (e) {
        const err = e as Error & { cause?: { code?: string; message?: string } };
        throw fail(err.cause?.code ?? err.cause?.message ?? err.message, e);
      }
      await res.text().catch(() => '');
      if (res.status === 401 || res.status === 403) {
        throw new RegistryError('REGISTRY_UNREACHABLE', `the schema registry at ${shown} refused the credentials (${res.status})`, {
          fix: 'check registry.username and registry.password',
          retriable: false,
        });
      }
      if (res.status >= 300) throw fail(`GET /subjects answered ${res.status}`);
    },
    { attempts: ATTEMPTS, ...BACKOFF, scale: config.retryScale },
  );
}

function withDeadline<T>(p: Promise<T>, ms: number, err: () => Error): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    t = setTimeout(() => rej(err()), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

export interface PreflightResult {
  /** The Commerce edition read from the schema, when the database was checked. */
  edition: EditionReport | undefined;
}

/**
 * Checks the services in `needs` (in parallel) and throws the first failure as a
 * catalogue error (MYSQL_*, KAFKA_UNREACHABLE, REGISTRY_UNREACHABLE). Writes nothing.
 */
export async function preflight(config: Config, opts: PreflightOptions): Promise<PreflightResult> {
  const { needs } = opts;
  const log = opts.log ?? createLogger({ level: config.logLevel });
  const mysql = needs.mysql || needs.binlog || needs.edition ? checkMysql(config, needs.binlog === true, needs.edition === true, log) : Promise.resolve(undefined);
  const checks: Array<Promise<unknown>> = [mysql];
  if (needs.kafka) checks.push(checkKafka(config));
  if (needs.registry) checks.push(checkRegistry(config));
  // report in a fixed order (database, brokers, registry) whatever finishes first
  const results = await Promise.allSettled(checks);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
  return { edition: await mysql };
}
