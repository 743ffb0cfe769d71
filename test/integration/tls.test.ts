// Broker and database over TLS, the broker with SASL/SCRAM (issue 17), on a private stack started
// as `scripts/stack.sh up --tls` would (CDC_STACK_TLS=1): MariaDB with require_secure_transport and
// its TCP users REQUIRE SSL, Kafka with a SASL_SSL (SCRAM-SHA-512) listener instead of the plaintext
// one. `commerce-cdc run` (reader, exporters, publishers) gets only what `stack.sh env` prints and
// delivers a seeded catalog and a live change to a receiver; the sessions are TLS and a plain
// connection is refused; a wrong CA, SASL password or MySQL password is one coded line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import registryPkg from '@kafkajs/confluent-schema-registry';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { ERROR_CODES, type ErrorCode } from '../../src/errors.js';
import { catalogModel } from '../../src/feeds/common/link.js';
import { createKafka } from '../../src/kafka/client.js';
import kafkajs from '../../src/kafka/kafkajs.js';
import { createLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import { createPool } from '../../src/mysql/pool.js';
import { seedCatalog } from '../../src/tools/seed/index.js';
import { startReceiver, type Receiver } from '../../src/tools/receiver/index.js';
import { cli, type CliResult } from '../helpers/cli.js';
import { applySchema, TEST_SEED } from '../helpers/commerce.js';
import { assembleAll, compareLatest, describeMismatches, FEEDS, receivedLatest, startRun, type RunningConnector, type Snapshot } from '../helpers/e2e.js';
import { startPrivateStack, type PrivateStack } from '../helpers/privateStack.js';
import { uniqueName } from '../helpers/stack.js';
import type { Deps } from './exporter-helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RENAMED = 'Renamed over TLS';
// two feeds: every feed takes the same TLS and SASL_SSL path, and fewer consumer groups keep the run short
const TLS_FEEDS = FEEDS.filter((f) => f.name === 'products' || f.name === 'categories');
// starting a private stack took 67 s on an idle machine and 153 s (the whole hook) at load average 15-20
// on its 2 cores: more than the integration project's 180 s hook timeout leaves for the rest
const SETUP_MS = 360_000;

describe('broker and database over TLS, broker with SASL/SCRAM', () => {
  const started = Date.now();
  let stack: PrivateStack;
  /** What `stack.sh env` prints for the TLS instance. */
  let conn: Record<string, string>;
  /** The environment of every child process: ours without the shared stack's CDC_* settings, plus conn. */
  let childEnv: NodeJS.ProcessEnv;
  let admin: mysql.Connection;
  let receiver: Receiver;
  let run: RunningConnector | undefined;
  let d: Deps;
  let database = '';
  let otherCa = '';
  let passed = 0;

  beforeAll(async () => {
    stack = startPrivateStack('tls', undefined, { CDC_STACK_TLS: '1' });
    conn = stack.connectionEnv();
    childEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CDC_'))), ...conn };
    const tmp = mkdtempSync(join(tmpdir(), 'cdc-tls-'));
    otherCa = join(tmp, 'other-ca.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=not the stack CA', '-keyout', join(tmp, 'other-ca.key'), '-out', otherCa], { stdio: 'ignore' });

    admin = await mysql.createConnection({
      host: conn.CDC_MYSQL_HOST,
      port: Number(conn.CDC_MYSQL_PORT),
      user: conn.CDC_MYSQL_ADMIN_USER,
      password: conn.CDC_MYSQL_ADMIN_PASSWORD,
      ssl: { ca: readFileSync(conn.CDC_MYSQL_TLS_CA!, 'utf8') },
      multipleStatements: true,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      charset: 'utf8mb4',
    });
    database = uniqueName('tls');
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
    await admin.query(`USE \`${database}\``);
    await applySchema(admin, database, 'opensource');
    await seedCatalog(admin, { ...TEST_SEED, edition: 'opensource' });

    receiver = await startReceiver();
    const built = buildConfig(
      {
        prefix: uniqueName('tls'),
        logLevel: process.env.CDC_TEST_LOG_LEVEL ?? 'warn',
        mysql: { database, serverId: 1000 + Math.floor(Math.random() * 1_000_000) },
        kafka: { partitions: 3 },
        publisher: { baseUrl: receiver.url, batchSize: 200 },
        reader: { heartbeatMs: 500 },
        dashboard: { enabled: false },
        exporter: { stateDir: join(tmpdir(), 'commerce-cdc-test-state') },
      },
      conn,
    );
    if (!built.config) throw new Error(`config invalid: ${built.errors.join('; ')}`);
    const config: Config = built.config;
    const log = createLogger({ level: 'error' });
    d = {
      config,
      log,
      kafka: createKafka(config, log),
      registry: new registryPkg.SchemaRegistry({ host: config.registry.url }),
      db: createPool(config.mysql),
      metrics: new Metrics({ defaults: false }),
      catalog: catalogModel('opensource'),
    };
    run = startRun(config, TLS_FEEDS.map((f) => f.name), childEnv);
    console.log(`tls: private TLS stack up, catalog seeded, run started after ${Date.now() - started} ms`);
  }, SETUP_MS);

  afterAll(async () => {
    await run?.stop();
    await receiver?.close();
    await d?.db.end().catch(() => undefined);
    await admin?.end().catch(() => undefined);
    const kept = stack?.destroy(passed < 3);
    if (kept) console.log(`tls test failed: stack and logs kept in ${kept}`);
    console.log(`tls: wall time ${Date.now() - started} ms`);
  });

  /** Waits until the receiver's latest item of every identity equals `want` (and nothing else is live). */
  async function delivered(want: Snapshot, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (run!.child.exitCode !== null) throw new Error(`commerce-cdc run exited ${run!.child.exitCode}:\n${run!.logs().slice(-3000)}`);
      const ms = TLS_FEEDS.flatMap((f) => compareLatest(f, want.get(f.name)!, receivedLatest(receiver, f)));
      if (!ms.length) return;
      if (Date.now() > deadline) throw new Error(`${ms.length} item(s) not delivered in ${timeoutMs} ms:\n${describeMismatches(ms)}\nrun log:\n${run!.logs().slice(-3000)}`);
      await sleep(500);
    }
  }

  it('reader → exporter → publisher over TLS and SASL_SSL: the snapshot and a live change arrive downstream', async () => {
    const t0 = Date.now();
    const want = await assembleAll(d, TLS_FEEDS);
    expect(want.get('products')!.size).toBeGreaterThan(0);
    await delivered(want, 150_000);
    const snapshotMs = Date.now() - t0;

    // streaming: a change made now comes through the binlog connection
    await admin.query(
      `UPDATE catalog_product_entity_varchar v
         JOIN eav_attribute a ON a.attribute_id = v.attribute_id AND a.attribute_code = 'name'
         JOIN eav_entity_type t ON t.entity_type_id = a.entity_type_id AND t.entity_type_code = 'catalog_product'
          SET v.value = ?
        WHERE v.store_id = 0 AND v.entity_id = (SELECT MIN(entity_id) FROM catalog_product_entity)`,
      [RENAMED],
    );
    const t1 = Date.now();
    await delivered(await assembleAll(d, TLS_FEEDS), 60_000);
    expect(receiver.items.some((r) => r.route === TLS_FEEDS.find((f) => f.name === 'products')!.route && JSON.stringify(r.item).includes(RENAMED))).toBe(true);
    console.log(`tls: ${receiver.items.length} items received; snapshot delivered in ${snapshotMs} ms, the live change in ${Date.now() - t1} ms`);
    passed++;
  });

  it('the pool and the binlog connection are TLS; MySQL and Kafka refuse a connection without it', async () => {
    // the connector's pool settings: the session is encrypted
    const [cipher] = (await d.db.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'")) as unknown as [Array<{ Value: string }>];
    expect(cipher[0]?.Value).toMatch(/\S/);
    // the server takes TCP only over TLS, and the connector's user only with TLS: the binlog dump
    // thread of that user (the running reader's) cannot be a plain connection
    const [[rst]] = (await admin.query('SELECT @@require_secure_transport AS r')) as unknown as [Array<{ r: string | number }>];
    expect(Number(rst!.r)).toBe(1);
    const [grants] = (await admin.query(`SHOW GRANTS FOR '${conn.CDC_MYSQL_USER}'@'${conn.CDC_MYSQL_HOST}'`)) as unknown as [Array<Record<string, string>>];
    expect(Object.values(grants[0]!)[0]).toMatch(/REQUIRE SSL/);
    const [dumps] = (await admin.query("SELECT USER FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")) as unknown as [Array<{ USER: string }>];
    expect(dumps.map((r) => r.USER)).toContain(conn.CDC_MYSQL_USER);
    const plain = mysql.createConnection({ host: conn.CDC_MYSQL_HOST, port: Number(conn.CDC_MYSQL_PORT), user: conn.CDC_MYSQL_USER, password: conn.CDC_MYSQL_PASSWORD });
    await expect(plain).rejects.toMatchObject({ errno: 1045 });

    // Kafka: the listener is SASL_SSL; plaintext, and TLS without the SASL login, are closed
    const attempt = async (o: Partial<ConstructorParameters<typeof kafkajs.Kafka>[0]>) => {
      const k = new kafkajs.Kafka({ clientId: 'tls-test', brokers: [conn.CDC_KAFKA_BROKERS!], logLevel: kafkajs.logLevel.NOTHING, connectionTimeout: 3000, requestTimeout: 5000, retry: { retries: 0 }, ...o });
      const a = k.admin();
      try {
        await a.connect();
        return await a.listTopics();
      } finally {
        await a.disconnect().catch(() => undefined);
      }
    };
    await expect(attempt({})).rejects.toThrow(/Closed connection|Connection/);
    await expect(attempt({ ssl: { ca: [readFileSync(conn.CDC_KAFKA_TLS_CA!, 'utf8')] } })).rejects.toThrow();
    const topics = await attempt({
      ssl: { ca: [readFileSync(conn.CDC_KAFKA_TLS_CA!, 'utf8')] },
      sasl: { mechanism: 'scram-sha-512', username: conn.CDC_KAFKA_SASL_USERNAME!, password: conn.CDC_KAFKA_SASL_PASSWORD! },
    });
    expect(topics).toContain(`${d.config.prefix}.products.changes`);
    passed++;
  });

  it('a wrong CA, SASL password or MySQL password: one coded line with the fix, exit ≠ 0, nothing created', async () => {
    const prefix = uniqueName('tlsbad');
    const reader = (extra: Record<string, string>): Promise<CliResult> =>
      cli(['reader'], { ...childEnv, CDC_PREFIX: prefix, CDC_MYSQL_DATABASE: database, CDC_LOG_LEVEL: 'error', CDC_RETRY_SCALE: '0.05', ...extra });
    const cases: Array<[string, Record<string, string>, ErrorCode, RegExp]> = [
      ['MySQL CA', { CDC_MYSQL_TLS_CA: otherCa }, 'MYSQL_TLS_FAILED', /mysql\.tls\.ca/],
      ['Kafka CA', { CDC_KAFKA_TLS_CA: otherCa }, 'KAFKA_TLS_FAILED', /kafka\.tls\.ca/],
      ['SASL password', { CDC_KAFKA_SASL_PASSWORD: 'wrong-scram-pw' }, 'KAFKA_AUTH_FAILED', /kafka\.sasl\.password/],
      ['MySQL password over TLS', { CDC_MYSQL_PASSWORD: 'wrong-mysql-pw' }, 'MYSQL_AUTH_FAILED', /mysql\.password/],
      ['MySQL without TLS', { CDC_MYSQL_TLS_ENABLED: 'false' }, 'MYSQL_AUTH_FAILED', /mysql\.tls\.enabled/],
      ['Kafka without TLS', { CDC_KAFKA_TLS_ENABLED: 'false' }, 'KAFKA_UNREACHABLE', /kafka\.tls/],
    ];
    // one at a time: each is a node process with a few quick connection attempts
    for (const [what, extra, code, fix] of cases) {
      const r = await reader(extra);
      const lines = r.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('{'));
      expect(lines, `${what}: ${r.stderr}`).toHaveLength(1);
      expect(lines[0], what).toMatch(new RegExp(`^${code}: [^\\n]+\\. Fix: .+$`));
      expect(lines[0]!.split('. Fix: ')[1], what).toMatch(fix);
      expect(r.code, what).toBe(ERROR_CODES[code].exit);
      for (const secret of ['wrong-scram-pw', 'wrong-mysql-pw', conn.CDC_KAFKA_SASL_PASSWORD!, conn.CDC_MYSQL_PASSWORD!]) expect(r.stderr, what).not.toContain(secret);
    }
    const a = d.kafka.admin();
    await a.connect();
    const left = (await a.listTopics().finally(() => a.disconnect())).filter((t) => t.startsWith(`${prefix}.`));
    expect(left).toEqual([]);
    passed++;
  });
});
