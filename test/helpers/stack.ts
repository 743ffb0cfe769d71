// Settings of the local stack (scripts/stack.sh) for integration and fault tests,
// and per-test isolation: each test gets its own database and topic prefix.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { buildConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const stackEnv = {
  mysqlHost: process.env.CDC_MYSQL_HOST ?? '127.0.0.1',
  mysqlPort: Number(process.env.CDC_MYSQL_PORT ?? 3407),
  cdcUser: process.env.CDC_MYSQL_USER ?? 'cdc',
  cdcPassword: process.env.CDC_MYSQL_PASSWORD ?? 'cdc_pw',
  adminUser: process.env.CDC_MYSQL_ADMIN_USER ?? 'cdc_admin',
  adminPassword: process.env.CDC_MYSQL_ADMIN_PASSWORD ?? 'cdc_admin_pw',
  brokers: (process.env.CDC_KAFKA_BROKERS ?? '127.0.0.1:19092').split(','),
  registryUrl: process.env.CDC_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7',
};

/** A short unique name for a test's database and topic prefix. */
export function uniqueName(label: string): string {
  return `t_${label.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}_${randomBytes(3).toString('hex')}`;
}

export async function adminConnection(database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: stackEnv.mysqlHost,
    port: stackEnv.mysqlPort,
    user: stackEnv.adminUser,
    password: stackEnv.adminPassword,
    database,
    multipleStatements: true,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    charset: 'utf8mb4',
  });
}

/** Creates an empty database and returns its name. */
export async function createDatabase(label: string): Promise<string> {
  const name = uniqueName(label);
  const c = await adminConnection();
  try {
    await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  } finally {
    await c.end();
  }
  return name;
}

export async function dropDatabase(name: string): Promise<void> {
  const c = await adminConnection();
  try {
    await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await c.end();
  }
}

/** A full, frozen config pointing at the stack, for database `database` and topic prefix `prefix`. */
export function testConfig(database: string, prefix: string, overrides: Record<string, unknown> = {}): Config {
  const doc: Record<string, unknown> = {
    prefix,
    logLevel: process.env.CDC_TEST_LOG_LEVEL ?? 'warn',
    mysql: { host: stackEnv.mysqlHost, port: stackEnv.mysqlPort, user: stackEnv.cdcUser, password: stackEnv.cdcPassword, database, serverId: 1000 + Math.floor(Math.random() * 1_000_000) },
    kafka: { brokers: stackEnv.brokers, partitions: 3 },
    registry: { url: stackEnv.registryUrl },
    ...overrides,
    // feed state stores out of the work tree (each prefix has its own directory there)
    exporter: { stateDir: join(tmpdir(), 'commerce-cdc-test-state'), ...(overrides.exporter as Record<string, unknown> | undefined) },
  };
  const r = buildConfig(doc, {});
  if (!r.config) throw new Error(`test config invalid: ${r.errors.join('; ')}`);
  return r.config;
}

/** Runs scripts/stack.sh (fault tests stop and start parts with it). */
export function stack(...args: string[]): string {
  return execFileSync('bash', [`${ROOT}scripts/stack.sh`, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
