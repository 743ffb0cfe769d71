// Each bad input gives one line `CODE: message. Fix: ...`, the code's exit status,
// and writes nothing: no topic of the prefix is created.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../../src/errors.js';
import { cli, prefixTopics } from '../helpers/cli.js';
import { createCommerceDatabase } from '../helpers/commerce.js';
import { adminConnection, dropDatabase, stackEnv, uniqueName } from '../helpers/stack.js';
import { cliEnv, testKafka } from './status.fixture.js';

const run = promisify(execFile);

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** The one line the user reads (log lines are JSON and come apart). */
function expectOneLine(r: { code: number; stderr: string }, code: ErrorCode): string {
  const lines = r.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('{'));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^${code}: [^\\n]+\\. Fix: .+$`));
  expect(r.code).toBe(ERROR_CODES[code].exit);
  return lines[0]!;
}

describe('bad inputs', () => {
  let database = '';
  const tmp = mkdtempSync(join(tmpdir(), 'cdc-bad-'));
  const limitedUser = uniqueName('sel').slice(0, 30);
  const env = (prefix: string, extra: Record<string, string> = {}) => cliEnv(prefix, database, { CDC_LOG_LEVEL: 'error', CDC_RETRY_SCALE: '0.05', ...extra });

  beforeAll(async () => {
    database = await createCommerceDatabase('bad', false);
    const c = await adminConnection();
    await c.query(`CREATE USER '${limitedUser}'@'%' IDENTIFIED BY 'sel_pw'`);
    await c.query(`GRANT SELECT ON *.* TO '${limitedUser}'@'%'`);
    await c.end();
  });

  afterAll(async () => {
    const c = await adminConnection();
    await c.query(`DROP USER IF EXISTS '${limitedUser}'@'%'`);
    await c.end();
    await dropDatabase(database);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('an unknown feed name: FEED_UNKNOWN', async () => {
    const prefix = uniqueName('bad');
    const line = expectOneLine(await cli(['resync', '--feed', 'nope'], env(prefix)), 'FEED_UNKNOWN');
    expect(line).toContain('"nope"');
    expect(line).toContain('products');
    expect(await prefixTopics(prefix)).toEqual([]);
  });

  it('a malformed config file: CONFIG_FILE_MALFORMED', async () => {
    const prefix = uniqueName('bad');
    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, `prefix: ${prefix}\nmysql:\n  host: [oops\n`);
    expectOneLine(await cli(['-c', file, 'run'], env(prefix)), 'CONFIG_FILE_MALFORMED');
    expect(await prefixTopics(prefix)).toEqual([]);
  });

  it('an invalid value: CONFIG_INVALID naming every key', async () => {
    const prefix = uniqueName('bad');
    const line = expectOneLine(await cli(['run'], env(prefix, { CDC_MYSQL_PORT: '99999', CDC_KAFKA_PARTITIONS: '0' })), 'CONFIG_INVALID');
    expect(line).toContain('mysql.port');
    expect(line).toContain('kafka.partitions');
  });

  it('a wrong password: MYSQL_AUTH_FAILED', async () => {
    const prefix = uniqueName('bad');
    const r = await cli(['reader'], env(prefix, { CDC_MYSQL_PASSWORD: 'not-the-password' }));
    expectOneLine(r, 'MYSQL_AUTH_FAILED');
    expect(r.stderr).not.toContain('not-the-password');
    expect(await prefixTopics(prefix)).toEqual([]);
  });

  it('a user without REPLICATION grants: MYSQL_GRANTS_MISSING', async () => {
    const prefix = uniqueName('bad');
    const line = expectOneLine(await cli(['reader'], env(prefix, { CDC_MYSQL_USER: limitedUser, CDC_MYSQL_PASSWORD: 'sel_pw' })), 'MYSQL_GRANTS_MISSING');
    expect(line).toMatch(/REPLICATION SLAVE/);
    expect(await prefixTopics(prefix)).toEqual([]);
  });

  it('an unreachable broker: KAFKA_UNREACHABLE', async () => {
    const prefix = uniqueName('bad');
    const brokers = `127.0.0.1:${await closedPort()}`;
    const line = expectOneLine(await cli(['status'], env(prefix, { CDC_KAFKA_BROKERS: brokers })), 'KAFKA_UNREACHABLE');
    expect(line).toContain(brokers);
    expect(await prefixTopics(prefix)).toEqual([]);
    // run and reader check the brokers before anything else and exit instead of retrying forever
    for (const cmd of ['run', 'reader']) {
      const started = Date.now();
      expect(expectOneLine(await cli([cmd], env(prefix, { CDC_KAFKA_BROKERS: brokers })), 'KAFKA_UNREACHABLE'), cmd).toContain(brokers);
      expect(Date.now() - started, cmd).toBeLessThan(60_000);
    }
    expect(await prefixTopics(prefix)).toEqual([]);
  });

  it('an unreachable registry: REGISTRY_UNREACHABLE', async () => {
    const prefix = uniqueName('bad');
    const url = `http://127.0.0.1:${await closedPort()}/apis/ccompat/v7`;
    expectOneLine(await cli(['resync', '--feed', 'scopesWebsite'], env(prefix, { CDC_REGISTRY_URL: url })), 'REGISTRY_UNREACHABLE');
    expect(await prefixTopics(prefix)).toEqual([]);
    // run checks the registry before it creates a topic; the line names the URL without its credentials
    const withCreds = url.replace('http://', 'http://someone:reg-secret@');
    for (const cmd of ['run', 'reader']) {
      const r = await cli([cmd], env(prefix, { CDC_REGISTRY_URL: withCreds }));
      expect(expectOneLine(r, 'REGISTRY_UNREACHABLE'), cmd).toContain(url);
      expect(r.stderr, cmd).not.toContain('reg-secret');
    }
    expect(await prefixTopics(prefix)).toEqual([]);
  });

  it('a purged binlog position: MYSQL_POSITION_PURGED', async () => {
    const prefix = uniqueName('bad');
    const kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: `${prefix}.reader.offsets`, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const position = { version: 1, serverId: 1, gtid: null, file: 'mysql-bin.000000', pos: 4, ts_ms: Date.now() - 86400_000, snapshot: null };
    await producer.send({ topic: `${prefix}.reader.offsets`, messages: [{ key: 'reader', value: JSON.stringify(position), partition: 0 }] });
    await producer.disconnect();
    const line = expectOneLine(await cli(['reader'], env(prefix)), 'MYSQL_POSITION_PURGED');
    expect(line).toContain('mysql-bin.000000');
    // status says so too
    const st = await cli(['status'], env(prefix, { CDC_EXPORTER_FEEDS: 'products' }));
    expect(st.stdout).toMatch(/PURGED\s+the server no longer has mysql-bin\.000000/);
    // the reader creates its topics before it reads the position: they must stay empty
    const a = kafka.admin();
    await a.connect();
    let written = 0;
    for (const t of (await prefixTopics(prefix)).filter((x) => x.endsWith('.changes'))) {
      for (const p of await a.fetchTopicOffsets(t)) written += Number(p.high);
    }
    await a.disconnect();
    expect(written).toBe(0);
  });

  describe('a server with binlog_format=MIXED', () => {
    let proc: ChildProcess | undefined;
    let port = 0;
    const dir = join(tmp, 'mixed');

    beforeAll(async () => {
      port = await closedPort();
      await run('mariadb-install-db', ['--no-defaults', `--datadir=${dir}/data`, `--user=${process.env.USER ?? 'root'}`, '--auth-root-authentication-method=socket', '--skip-test-db'], { timeout: 120_000 });
      proc = spawn('mariadbd', [
        '--no-defaults', `--user=${process.env.USER ?? 'root'}`, `--datadir=${dir}/data`, '--bind-address=127.0.0.1', `--port=${port}`, `--socket=${dir}/mysqld.sock`,
        `--pid-file=${dir}/mariadbd.pid`, `--log-error=${dir}/err.log`, '--server-id=1', '--log-bin=mysql-bin', '--binlog-format=MIXED',
        '--innodb-buffer-pool-size=32M', '--skip-name-resolve',
      ], { stdio: 'ignore' });
      for (let i = 0; ; i++) {
        try {
          await run('mariadb', ['--no-defaults', '-S', `${dir}/mysqld.sock`, '-uroot', '-e',
            `CREATE USER 'cdc'@'127.0.0.1' IDENTIFIED BY 'cdc_pw'; GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO 'cdc'@'127.0.0.1'; CREATE DATABASE ${database};`]);
          break;
        } catch (e) {
          if (i > 120) throw e;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'cdc', password: 'cdc_pw' });
      await c.end();
    }, 180_000);

    afterAll(async () => {
      if (proc?.pid) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc!.once('exit', r));
      }
    });

    it('MYSQL_BINLOG_FORMAT', async () => {
      const prefix = uniqueName('bad');
      const line = expectOneLine(await cli(['reader'], env(prefix, { CDC_MYSQL_PORT: String(port), CDC_MYSQL_USER: stackEnv.cdcUser, CDC_MYSQL_PASSWORD: stackEnv.cdcPassword })), 'MYSQL_BINLOG_FORMAT');
      expect(line).toContain('MIXED');
      expect(await prefixTopics(prefix)).toEqual([]);
    });
  });
});
