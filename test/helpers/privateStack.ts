// A private stack instance (own MariaDB, Kafka and registry on their own ports and
// state dir) for fault tests that stop the broker or restart the database without
// disturbing the shared stack other tests use.
import { execFileSync } from 'node:child_process';
import { renameSync, rmSync } from 'node:fs';
import { ROOT } from './stack.js';

export interface PrivateStack {
  dir: string;
  /** The address every part listens on and advertises (CDC_STACK_HOST; 127.0.0.1 unless given). */
  host: string;
  env: Record<string, string>;
  mysqlPort: number;
  brokers: string[];
  registryUrl: string;
  /** scripts/stack.sh with this instance's env: ('stop', 'kafka'), ('start', 'mariadb'), ... */
  run(...args: string[]): string;
  /** The connector's settings for this instance (`stack.sh env`): CDC_MYSQL_*, CDC_KAFKA_*, CDC_REGISTRY_URL; with TLS also the CA and the SASL user. */
  connectionEnv(): Record<string, string>;
  /**
   * Stops every part and removes the state dir; with keep, moves the dir (logs, data) to
   * `.stack/failed-<label>-<time>` instead and returns that path, for a failed test to name.
   */
  destroy(keep?: boolean): string | undefined;
}

/**
 * `extraEnv`: more stack.sh settings, e.g. CDC_REGISTRY_STORE=file for a registry that keeps its schemas
 * across a restart, or CDC_STACK_TLS=1 for MariaDB and Kafka over TLS (Kafka SASL_SSL, see connectionEnv),
 * or CDC_STACK_HOST for a stack on the host end of a veth pair (test/helpers/netns.ts).
 */
export function startPrivateStack(label: string, base = 20000 + Math.floor(Math.random() * 200) * 10, extraEnv: Record<string, string> = {}): PrivateStack {
  const dir = `${ROOT}.stack/private-${label}-${base}`;
  const env: Record<string, string> = {
    CDC_STACK_DIR: dir,
    // the downloaded jars: a git worktree shares the main checkout's through CDC_STACK_CACHE
    CDC_STACK_CACHE: process.env.CDC_STACK_CACHE ?? `${ROOT}.stack/cache`,
    CDC_MYSQL_PORT: String(base + 1),
    CDC_KAFKA_PORT: String(base + 2),
    CDC_KAFKA_CONTROLLER_PORT: String(base + 3),
    CDC_REGISTRY_PORT: String(base + 4),
    ...extraEnv,
  };
  const run = (...args: string[]) =>
    execFileSync('bash', [`${ROOT}scripts/stack.sh`, ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const host = env.CDC_STACK_HOST ?? '127.0.0.1';
  run('up');
  return {
    dir,
    host,
    env,
    mysqlPort: base + 1,
    brokers: [`${host}:${base + 2}`],
    registryUrl: `http://${host}:${base + 4}/apis/ccompat/v7`,
    run,
    connectionEnv: () => Object.fromEntries([...run('env').matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!])),
    destroy(keep = false) {
      const kept = keep ? `${ROOT}.stack/failed-${label}-${new Date().toISOString().replace(/[:.]/g, '-')}` : undefined;
      try {
        run('down');
      } finally {
        if (kept) renameSync(dir, kept);
        else rmSync(dir, { recursive: true, force: true });
      }
      return kept;
    },
  };
}

/** The environment of a `reader` process on a private stack: its database, prefix and replica server id, with short heartbeats and retries. */
export function readerEnv(stack: PrivateStack, o: { prefix: string; database: string; serverId: number; connector: string }, mysql: { user: string; password: string }): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CDC_PREFIX: o.prefix,
    CDC_LOG_LEVEL: 'info',
    CDC_MYSQL_HOST: '127.0.0.1',
    CDC_MYSQL_PORT: String(stack.mysqlPort),
    CDC_MYSQL_USER: mysql.user,
    CDC_MYSQL_PASSWORD: mysql.password,
    CDC_MYSQL_DATABASE: o.database,
    CDC_MYSQL_SERVER_ID: String(o.serverId),
    CDC_KAFKA_BROKERS: stack.brokers.join(','),
    CDC_KAFKA_PARTITIONS: '3',
    CDC_REGISTRY_URL: stack.registryUrl,
    CDC_READER_CONNECTOR: o.connector,
    CDC_READER_HEARTBEAT_MS: '1000',
    CDC_RETRY_SCALE: '0.3',
  };
}
