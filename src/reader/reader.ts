import type { Kafka, Producer } from 'kafkajs';
import type { Config } from '../config/schema.js';
import { CdcError, KafkaError, MysqlError, isCdcError, isRetriable } from '../errors.js';
import { BasePart } from '../lifecycle.js';
import { kafkaFailure, KafkaFailure } from '../kafka/errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { createPool, mysqlError, type Pool } from '../mysql/pool.js';
import { retry } from '../retry.js';
import { topicNames } from '../kafka/topics.js';
import { maxMessageBytesOrDefault, requestBytesWithin } from '../kafka/limits.js';
import { transactionalProducer } from '../kafka/client.js';
import { allFeeds } from '../feeds/index.js';
import type { RegistryClient } from '../avro/registry.js';
import { BinlogSource } from './binlog.js';
import { binaryLogs, checkServer, masterStatus } from './checks.js';
import type { ChangeContext } from './changes.js';
import { buildMapping, loadMappingDocs, type Mapping } from './mapping.js';
import { detectEdition, EDITION_NAMES } from '../mysql/edition.js';
import { readStoredPosition, type BinlogPosition, type PositionRecord } from './position.js';
import { ByteQueue } from './queue.js';
import { TableSchemas } from './schemas.js';
import { runSnapshot } from './snapshot.js';
import { Writer } from './writer.js';
import { VisibilityBarrier } from './visibility.js';

// The reader part: checks the server, resolves where to start (stored position,
// snapshot, or the current end), then streams binlog transactions into Kafka
// transactions. Any lost connection (database or broker) ends the session; the
// next one starts from the position committed in Kafka, so nothing is doubled.

/** Why a snapshot runs (cdc_reader_snapshots_total{reason}). */
export type SnapshotReason = 'initial' | 'resumed' | 'purged' | 'always';

export interface ReaderDeps {
  config: Config;
  log: Logger;
  kafka: Kafka;
  metrics: Metrics;
  /** The table envelopes' registry client (built by createConnector). */
  registry: RegistryClient;
  /** Check mapped entity types against the registered feeds' expandTypes (default true). */
  checkEntityTypes?: boolean;
}

/** Maps a failure to the catalogue, deciding what a new session may fix. */
function classify(e: unknown, config: Config): unknown {
  if (isCdcError(e)) return e;
  const err = e as { name?: string; code?: string | number; errno?: number; type?: string; message?: string };
  const kafka = kafkaFailure(e);
  if (kafka === KafkaFailure.fenced) {
    return new KafkaError('KAFKA_FENCED', 'another reader with the same transactional id took over', {
      fix: 'run one reader per prefix; a standby takes over only when the active one is gone',
      cause: e,
    });
  }
  // any other Kafka failure: a new session (new producer, new connections) may succeed
  if (kafka) return new KafkaError('KAFKA_UNREACHABLE', `Kafka: ${err.message ?? String(e)}`, { fix: 'check kafka.brokers and that the brokers run', cause: e, retriable: true });
  if (typeof err.code === 'string' && /^(ER_|PROTOCOL_|E[A-Z]+$)/.test(err.code)) {
    const m = mysqlError(e, config.mysql);
    // a killed connection or a lost server: a new session reconnects
    return err.code === 'ER_CONNECTION_KILLED' || err.errno === 1927 ? new MysqlError('MYSQL_UNREACHABLE', m.message, { cause: e }) : m;
  }
  if (e instanceof Error && /connection|ECONNRESET|socket|closed|Control connection/i.test(e.message)) {
    return new MysqlError('MYSQL_UNREACHABLE', `binlog connection lost: ${e.message}`, { cause: e });
  }
  return e;
}

export class Reader extends BasePart {
  readonly name = 'reader';
  private stopping = false;
  /** Ends the wait between sessions when the reader stops. */
  private readonly abort = new AbortController();
  private loopDone: Promise<void> | undefined;
  private snapshotTaken = false;
  private readonly topics: ReturnType<typeof topicNames>;
  private readonly registry: RegistryClient;
  private readonly docs: ReturnType<typeof loadMappingDocs>;
  private current: { binlog?: BinlogSource; queue?: ByteQueue } = {};
  /** Binlog dump thread of the running session (fault tests kill it). */
  get binlogThreadId(): number | undefined {
    return this.current.binlog?.threadId;
  }

  private readonly d: ReaderDeps;

  constructor(d: ReaderDeps) {
    super();
    this.d = d;
    this.topics = topicNames(d.config.prefix);
    this.registry = d.registry;
    this.docs = loadMappingDocs(d.config.reader.connector);
    // structural problems surface at construction, before any connection
    buildMapping(this.docs);
  }

  /** Resolves once the first session streams; a failure before that fails the start. */
  protected async onStart(): Promise<void> {
    let ready!: () => void;
    const started = new Promise<void>((res) => (ready = res));
    this.loopDone = this.loop(ready).then(
      // a loop that ends by itself ends only on a stop request
      () => void this.stop(),
      (e: unknown) => this.fail(e),
    );
    await Promise.race([started, this.done.then(() => undefined)]);
  }

  protected async onStop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    this.current.queue?.wake();
    await this.current.binlog?.stop();
    this.current.queue?.wake();
    await this.loopDone;
  }

  /** Sessions one after the other: a lost connection (database or broker) starts a new one from the committed position. */
  private async loop(ready: () => void): Promise<void> {
    let everReady = false;
    try {
      await retry(
        () =>
          this.session(() => {
            everReady = true;
            ready();
          }).catch((raw: unknown) => {
            throw this.stopping ? raw : classify(raw, this.d.config);
          }),
        {
          attempts: Infinity,
          initialMs: 500,
          maxMs: 15_000,
          scale: this.d.config.retryScale,
          resetAfterMs: 60_000,
          signal: this.abort.signal,
          // before the first session streamed, five failures in a row fail the start; once a snapshot
          // has begun the start-up checks have passed, and a lost connection (a database restarting
          // in the middle of a chunk) is retried as while streaming: the snapshot resumes
          shouldRetry: (e, attempt) => !this.stopping && isRetriable(e) && (everReady || this.snapshotTaken || attempt < 5),
          onRetry: (e, attempt, delayMs) => this.d.log.warn({ err: e, attempt, delayMs }, 'reader session lost; resuming from the committed position'),
        },
      );
    } catch (e) {
      if (this.stopping) return;
      this.d.log.error({ err: e }, 'reader failed');
      throw e;
    }
  }

  /** With each changes topic's max.message.bytes (read once per session): a larger record is cut to fit (CHANGE_VALUE_TRUNCATED). */
  private async changeContext(feeds: string[]): Promise<ChangeContext> {
    const admin = this.d.kafka.admin();
    await admin.connect();
    let limits: Map<string, number>;
    try {
      limits = await maxMessageBytesOrDefault(admin, feeds.map(this.topics.changes), this.d.log);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    return {
      partitions: this.d.config.kafka.partitions,
      changesTopic: this.topics.changes,
      maxMessageBytes: limits,
      maxRequestBytes: requestBytesWithin(Math.min(...limits.values())),
      onTruncated: (t) =>
        this.d.log.warn(
          { code: 'CHANGE_VALUE_TRUNCATED', topic: t.topic, table: t.table, entityId: t.key, bytes: t.bytes, fitted: t.fitted, limit: t.limit, cut: t.cut },
          'change record larger than its topic takes: values cut short to fit (header cdc.truncated); the items are assembled from the database',
        ),
    };
  }

  private async session(ready: () => void): Promise<void> {
    const { config, log, kafka, metrics } = this.d;
    const pool = createPool({ ...config.mysql, connectionLimit: 2 });
    let producer: Producer | undefined;
    let binlog: BinlogSource | undefined;
    try {
      const info = await checkServer(pool, config, log).catch((e: unknown) => {
        throw isCdcError(e) ? e : mysqlError(e, config.mysql);
      });
      const mapping = await this.validatedMapping(pool);
      const tables = [...mapping.routes.keys()];
      const feedsOf = (t: string) => [...new Set((mapping.routes.get(t) ?? []).map((r) => r.feed))];
      const schemas = new TableSchemas({ db: pool, database: config.mysql.database, tablePrefix: config.mysql.tablePrefix, registry: this.registry, topicsOf: (t) => feedsOf(t).map(this.topics.changes), log });
      await schemas.load(tables);
      // the topics exist: createConnector made them (ensureConnectorTopics) before any part started
      // a send or commit the broker keeps refusing for about a minute ends the session instead of
      // hanging in it: the next session starts with a new producer, whose initialisation bumps the
      // epoch and completes or aborts whatever the broker still holds for the transactional id
      producer = transactionalProducer(kafka, `${config.prefix}.reader`, { retries: 20, maxRetryTime: 5_000 });
      // connecting initialises the transactional id: fences an older reader and aborts its open transaction
      await producer.connect();
      const stored = await readStoredPosition(kafka, this.topics.readerOffsets, log);
      const ctx = await this.changeContext([...new Set(mapping.feeds.map((f) => f.feed))]);
      const start = await this.startPosition(pool, stored, info.mariadb, async (progress, reason) => {
        this.snapshotTaken = true;
        metrics.readerSnapshots.inc({ reason });
        const recheck = reason === 'purged' || reason === 'always';
        return runSnapshot({ config, log, mapping, schemas, producer: producer!, offsetsTopic: this.topics.readerOffsets, serverId: info.serverId, server: config.prefix, ctx, progress, recheck, stopRequested: () => this.stopping });
      });
      if (this.stopping) return;
      const queue = new ByteQueue();
      let failure: ((e: unknown) => void) | undefined;
      const failed = new Promise<never>((_, rej) => (failure = rej));
      failed.catch(() => undefined);
      binlog = new BinlogSource({ config, log, mapping, schemas, queue, ctx, server: config.prefix, start, useGtid: info.mariadb && start.gtid !== null, onError: (e) => failure?.(e) });
      const barrier = new VisibilityBarrier({ pool, database: config.mysql.database, mariadb: info.mariadb, log, metrics });
      const writer = new Writer({
        producer,
        queue,
        offsetsTopic: this.topics.readerOffsets,
        serverId: info.serverId,
        maxTransactionEvents: config.reader.maxTransactionEvents,
        maxQueueBytes: config.reader.maxQueueBytes,
        maxRequestBytes: ctx.maxRequestBytes,
        heartbeatMs: config.reader.heartbeatMs,
        metrics,
        log,
        start,
        heartbeat: (seen) => this.heartbeatPosition(pool, seen),
        visible: (lock) => barrier.wait(lock),
        stopRequested: () => this.stopping,
      });
      const b = binlog;
      queue.onRelease = () => {
        metrics.readerQueueBytes.set(queue.bytes);
        if (queue.bytes < config.reader.maxQueueBytes / 2) b.resume('queue');
      };
      this.current = { binlog, queue };
      await Promise.race([binlog.start(), failed]);
      log.info({ file: start.file, pos: start.pos, gtid: start.gtid }, 'reader streaming');
      ready();
      await Promise.race([writer.run(), failed]);
    } finally {
      this.current = {};
      await binlog?.stop().catch(() => undefined);
      await producer?.disconnect().catch(() => undefined);
      await pool.end().catch(() => undefined);
    }
  }

  /** Validates the mapping against the DDL and the registered feeds (all problems at once). */
  private async validatedMapping(pool: Pool): Promise<Mapping> {
    const base = buildMapping(this.docs);
    const { readColumns } = await import('../avro/columns.js');
    const c = this.d.config.mysql;
    const cols = await readColumns(pool, c.database, [...base.routes.keys()].map((t) => c.tablePrefix + t));
    const columns = new Map([...cols].map(([t, list]) => [t.slice(c.tablePrefix.length), list.map((x) => x.name)]));
    const feedTypes = this.d.checkEntityTypes === false ? undefined : new Map(allFeeds().map((f) => [f.name as string, [f.sourceEntity, ...f.expandTypes]]));
    const missing = [...base.routes.keys()].filter((t) => !columns.has(t));
    if (missing.length) this.d.log.info({ tables: missing }, 'mapped tables absent from the database (not captured until created)');
    // link routes read row_id or entity_id by edition; a mapping without them captures any database
    const linked = base.feeds.some((f) => f.tables.some((r) => r.link));
    const detected = await detectEdition(pool, c.tablePrefix, c.database).catch((e: unknown) => {
      if (linked) throw e;
      return undefined;
    });
    if (detected) this.d.log.info({ edition: detected.edition, evidence: detected.evidence }, `reader: ${EDITION_NAMES[detected.edition]} catalog`);
    return buildMapping(this.docs, { columns, edition: detected?.edition ?? 'opensource', ...(feedTypes ? { feedTypes } : {}) });
  }

  private async startPosition(pool: Pool, stored: PositionRecord | undefined, mariadb: boolean, snapshot: (progress: PositionRecord['snapshot'], reason: SnapshotReason) => Promise<BinlogPosition>): Promise<BinlogPosition> {
    const mode = this.d.config.reader.snapshotMode;
    const logs = new Set((await binaryLogs(pool)).map((l) => l.name));
    const purged = (file: string) => !logs.has(file);
    const purgedError = (file: string) =>
      new MysqlError('MYSQL_POSITION_PURGED', `the stored binlog position (${file}) has been purged from the server`, {
        fix: 'set reader.snapshotMode to when_needed (or run a resync) to take a new snapshot',
      });
    if (stored?.snapshot) {
      if (!purged(stored.snapshot.position.file)) return snapshot(stored.snapshot, 'resumed');
      if (mode === 'never') throw purgedError(stored.snapshot.position.file);
      this.d.log.warn('the interrupted snapshot position was purged: starting a new snapshot');
      return snapshot(null, 'purged');
    }
    if (stored) {
      if (mode === 'always' && !this.snapshotTaken) return snapshot(null, 'always');
      if (purged(stored.file)) {
        if (mode === 'when_needed' || mode === 'always') {
          this.d.log.warn({ file: stored.file }, `the stored binlog position was purged: snapshotMode ${mode} takes a new snapshot`);
          return snapshot(null, 'purged');
        }
        throw purgedError(stored.file);
      }
      return { file: stored.file, pos: stored.pos, gtid: mariadb ? stored.gtid : null, ts_ms: stored.ts_ms };
    }
    if (mode === 'never') {
      const m = await masterStatus(pool);
      return { file: m.file, pos: m.pos, gtid: m.gtid, ts_ms: Date.now() };
    }
    return snapshot(null, 'initial');
  }

  /**
   * The heartbeat record: the last position seen, stamped now when the server has written nothing
   * after it. With GTIDs, caught up is also at the server's file and position: a binlog rotated
   * (FLUSH BINARY LOGS, max_binlog_size) and purged while nothing captured was written must not
   * leave the stored position in a purged file (a restart would stop with MYSQL_POSITION_PURGED).
   */
  private async heartbeatPosition(pool: Pool, seen: BinlogPosition): Promise<BinlogPosition> {
    try {
      const m = await masterStatus(pool);
      const seenG = new Set((seen.gtid ?? '').split(','));
      // masterStatus reads the position before the GTIDs: a transaction in between makes this false
      if (m.gtid !== null && seen.gtid !== null) return m.gtid.split(',').every((g) => seenG.has(g)) ? { file: m.file, pos: m.pos, gtid: seen.gtid, ts_ms: Date.now() } : seen;
      const caughtUp = m.file === seen.file && m.pos <= seen.pos;
      return caughtUp ? { ...seen, ts_ms: Date.now() } : seen;
    } catch {
      return seen;
    }
  }
}

export function createReader(deps: ReaderDeps): Reader {
  if (!deps.config) throw new CdcError('INTERNAL', 'createReader needs a config');
  return new Reader(deps);
}
