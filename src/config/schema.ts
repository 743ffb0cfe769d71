import { z } from 'zod';

// Every key has a description and a default; every object is strict (a typo is an error, see load.ts). README's configuration section is
// generated from these descriptions (`commerce-cdc config --describe`).
// Sections use .prefault({}): zod 4 returns a .default() value as is, while a
// prefault is parsed, so the inner keys' defaults apply.

const tls = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Connect over TLS (mysql: the pool, the binlog connection and seed; kafka: every client)'),
    ca: z.string().optional().describe("Path to a PEM CA bundle that signed the server's certificate (scripts/stack.sh up --tls: <stack dir>/tls/ca.pem); unset: the system CAs"),
    cert: z.string().optional().describe('Path to a PEM client certificate'),
    key: z.string().optional().describe('Path to a PEM client key'),
    rejectUnauthorized: z.boolean().default(true).describe('Verify the server certificate'),
  })
  .default({ enabled: false, rejectUnauthorized: true });

export const mysqlSchema = z
  .strictObject({
    host: z.string().default('127.0.0.1').describe('Commerce database host'),
    port: z.number().int().min(1).max(65535).default(3306).describe('Commerce database port'),
    user: z.string().default('cdc').describe('User with REPLICATION SLAVE, REPLICATION CLIENT and SELECT'),
    password: z.string().default('').describe('Password of that user (secret: never logged)'),
    database: z.string().default('magento').describe('The Commerce database (schema) to capture'),
    tablePrefix: z.string().default('').describe("Magento's table prefix, if the install uses one"),
    serverId: z.number().int().min(1).max(4294967295).default(5401).describe('Replica server id the binlog reader uses; unique among replicas'),
    connectionLimit: z.number().int().min(1).default(8).describe('Pool size for provider queries'),
    tls,
  })
  .prefault({});

export const kafkaSchema = z
  .strictObject({
    brokers: z.array(z.string()).min(1).default(['127.0.0.1:9092']).describe('Bootstrap brokers host:port'),
    clientId: z.string().default('commerce-cdc').describe('Kafka client id'),
    partitions: z.number().int().min(1).default(3).describe('Partitions of every feed topic (changes, items, status share it)'),
    replicationFactor: z.number().int().min(1).default(1).describe('Replication factor of created topics'),
    sessionTimeoutMs: z.number().int().min(6000).default(30_000).describe('Consumer group session timeout: how long a crashed exporter/publisher process holds its partitions'),
    tls,
    sasl: z
      .strictObject({
        mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).describe('SASL mechanism'),
        username: z.string().describe('SASL user'),
        password: z.string().describe('SASL password (secret: never logged)'),
      })
      .optional()
      .describe('SASL authentication (with kafka.tls: a SASL_SSL listener); a refused login is KAFKA_AUTH_FAILED'),
  })
  .prefault({});

export const registrySchema = z
  .strictObject({
    url: z.string().url().default('http://127.0.0.1:8081').describe('Confluent-compatible schema registry URL (Apicurio: .../apis/ccompat/v7)'),
    username: z.string().optional().describe('Basic auth user'),
    password: z.string().optional().describe('Basic auth password (secret: never logged)'),
  })
  .prefault({});

export const readerSchema = z
  .strictObject({
    connector: z.string().default('connectors/feeds').describe('Folder of the declarative table-to-feed mappings, one <feed>.yaml per feed'),
    snapshotMode: z.enum(['initial', 'when_needed', 'never', 'always']).default('initial').describe('When to take a snapshot'),
    snapshotScope: z.enum(['entities', 'rows']).default('entities').describe('entities: one r event per source entity of each feed; rows: every row of every captured table'),
    snapshotChunkSize: z.number().int().min(1).default(5000).describe('Rows per snapshot chunk (one Kafka transaction each)'),
    maxQueueBytes: z.number().int().min(1024).default(16 * 1024 * 1024).describe('Pause the binlog stream while this many bytes wait for Kafka'),
    maxTransactionEvents: z.number().int().min(1).default(20000).describe('Binlog events per Kafka transaction at most'),
    heartbeatMs: z.number().int().min(100).default(5000).describe('Position/lag heartbeat period while idle'),
    ha: z
      .strictObject({
        enabled: z.boolean().default(false).describe('Several readers of one prefix: the one holding the lease (the consumer group <prefix>.reader.lease) streams, the others stand by and take over when it is gone; off: this reader streams at once (a restart after a kill -9 does not wait for the session timeout)'),
        sessionTimeoutMs: z.number().int().min(6000).default(10_000).describe('How long a killed or cut-off active reader holds the lease before a standby takes over'),
        instance: z.string().default('').describe('Name of this reader in logs, `status` and the page; empty: <hostname>:<pid>'),
      })
      .prefault({}),
    binlogTimeoutMs: z
      .number()
      .int()
      .min(3000)
      .default(30_000)
      .describe('A binlog connection that receives nothing for this long (the server is asked for a heartbeat every third of it) is taken as lost and reopened'),
  })
  .prefault({});

export const feedTuningSchema = z.strictObject({
  batchSize: z.number().int().min(1).optional().describe('Entity ids per provider query batch'),
  threads: z.number().int().min(1).optional().describe('Provider batches run at once'),
  publishBatchSize: z.number().int().min(1).optional().describe('Items per downstream request'),
  publishConcurrency: z.number().int().min(1).optional().describe('Downstream requests in flight'),
  route: z.string().optional().describe('Downstream route for this feed'),
});

export const exporterSchema = z
  .strictObject({
    feeds: z.array(z.string()).default([]).describe('Feeds to run; empty = all eleven'),
    tuning: z.record(z.string(), feedTuningSchema).default({}).describe('Per-feed overrides keyed by feed name'),
    batchSize: z.number().int().min(1).default(500).describe('Default entity ids per provider batch'),
    threads: z.number().int().min(1).default(2).describe('Default provider batches at once'),
    workers: z.number().int().min(0).max(64).default(1).describe('Assembly worker threads per process, shared by its exporters (provider SQL, building, hashing); 0 assembles on the main thread'),
    workerBatches: z.number().int().min(1).max(64).default(2).describe('Provider batches an assembly worker runs at once; the others wait (each holds its SQL rows until built)'),
    stateDir: z.string().min(1).default('.state').describe('Directory of the feed state stores (one LMDB store per feed partition, <stateDir>/<prefix>/<feed>/<partition>); relative to the working directory; a local disk, kept across restarts'),
    stateCacheItems: z.number().int().min(0).default(10_000).describe('Feed items kept decoded in memory per owned feed partition, in front of its state store'),
    heapGrowthPercent: z.number().int().min(0).max(300).default(70).describe("V8 heap limit after a full GC: live size + this %, for the whole process; 0 leaves it to V8 (faster, more RSS)"),
    extendedLog: z.boolean().default(false).describe('Log every written item with its payload (also EXPORTER_EXTENDED_LOG=1)'),
    profiler: z.boolean().default(false).describe("Log each provider call's entities, ms and heap MB (also EXPORTER_PROFILER=1)"),
    logProgressInterval: z.number().min(0).optional().describe('Seconds between progress log lines: exporter default 5, resync without a terminal 30 (also EXPORTER_LOG_PROGRESS_INTERVAL)'),
  })
  .prefault({});

export const publisherSchema = z
  .strictObject({
    downstream: z.enum(['http', 'kafka']).default('http').describe('http: POST batches like Commerce Services; kafka: consumers read the items topic, no publisher'),
    baseUrl: z.string().url().default('http://127.0.0.1:8787').describe('Downstream base URL; feeds POST to <baseUrl>/<route>'),
    apiKey: z.string().optional().describe('Sent as x-api-key (secret: never logged)'),
    timeoutMs: z.number().int().min(100).default(10_000).describe('Per-request timeout'),
    batchSize: z.number().int().min(1).default(100).describe('Items per request'),
    concurrency: z.number().int().min(1).default(2).describe('Requests in flight per feed'),
    retryInitialMs: z.number().int().min(1).default(500).describe('First retry delay for status 2'),
    retryMaxMs: z.number().int().min(1).default(60_000).describe('Largest retry delay'),
    gzip: z.boolean().default(true).describe('gzip the JSON body'),
  })
  .prefault({});

export const dashboardSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Serve the status page, /metrics and /healthz from `run`'),
    host: z.string().default('127.0.0.1').describe('Listen address'),
    port: z.number().int().min(0).max(65535).default(8686).describe('Listen port'),
    token: z.string().optional().describe('Bearer token required by the page and /metrics (secret: never logged)'),
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    prefix: z.string().regex(/^[A-Za-z0-9._-]+$/).default('commerce').describe('Topic prefix: <prefix>.<feed>.changes|items|status'),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info').describe('Log level'),
    retryScale: z.number().positive().default(1).describe('Multiplies every retry backoff (tests shorten them)'),
    mysql: mysqlSchema,
    kafka: kafkaSchema,
    registry: registrySchema,
    reader: readerSchema,
    exporter: exporterSchema,
    publisher: publisherSchema,
    dashboard: dashboardSchema,
  });

export type Config = z.infer<typeof configSchema>;
export type FeedTuning = z.infer<typeof feedTuningSchema>;
