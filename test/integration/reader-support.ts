// Shared by the reader's integration, golden and fault tests: start a reader in
// process, read change topics read_committed and decode them through the registry.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import { stringify } from 'yaml';
import { createKafka } from '../../src/kafka/client.js';
import { createLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import type { Config } from '../../src/config/schema.js';
import { createReader, type Reader } from '../../src/reader/index.js';
import { RegistryClient } from '../../src/avro/registry.js';
import { ensureConnectorTopics } from '../../src/connector.js';

export interface ChangeRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  schemaId: number;
  value: {
    op: string;
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
    source: { file: string; pos: number; gtid: string | null; table: string; snapshot: boolean; db: string; ts_ms: number };
    entity: { type: string; id: string; feed: string };
  };
}

/** Writes a mapping folder: feed → [table, entity, id column, when?]. */
export function mappingDir(feeds: Record<string, { root: [string, string]; tables: Array<[string, string, string, Record<string, unknown[]>?]> }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cdc-map-'));
  for (const [feed, f] of Object.entries(feeds)) {
    const doc = { feed, root: { table: f.root[0], id: f.root[1] }, tables: f.tables.map(([table, entity, id, when]) => ({ table, entity, id, ...(when ? { when } : {}) })) };
    writeFileSync(join(dir, `${feed}.yaml`), stringify(doc));
  }
  return dir;
}

export function startReader(config: Config, o: { checkEntityTypes?: boolean } = {}): { reader: Reader; kafka: Kafka; metrics: Metrics } {
  const log = createLogger({ level: config.logLevel, name: 'reader-test' });
  const kafka = createKafka(config, log);
  const metrics = new Metrics({ defaults: false });
  const reader = createReader({ config, log, kafka, metrics, registry: new RegistryClient(config.registry), ...o });
  // in a process createConnector makes the topics before any part starts
  const start = reader.start.bind(reader);
  reader.start = async () => {
    await ensureConnectorTopics(kafka, config, [], true);
    await start();
  };
  return { reader, kafka, metrics };
}

/**
 * Reads the topics from the beginning (read_committed) until `count` records arrived
 * (or, without count, until nothing new came for `quietMs`), decoded via the registry.
 */
export async function readChanges(kafka: Kafka, registryUrl: string, topics: string[], o: { count?: number; timeoutMs?: number; quietMs?: number; extraMs?: number; partial?: boolean } = {}): Promise<ChangeRecord[]> {
  const registry = new SchemaRegistry({ host: registryUrl });
  const consumer = kafka.consumer({ groupId: `test-${randomBytes(5).toString('hex')}`, readUncommitted: false, allowAutoTopicCreation: false });
  const out: ChangeRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      // partial: the caller names what is missing itself, so a timeout returns what arrived
      const timeout = setTimeout(() => (o.count === undefined || o.partial ? resolve() : reject(new Error(`timed out with ${out.length} of ${o.count} records`))), o.timeoutMs ?? 30_000);
      let quiet: NodeJS.Timeout | undefined;
      const armQuiet = () => {
        if (o.count !== undefined) return;
        if (quiet) clearTimeout(quiet);
        quiet = setTimeout(() => {
          clearTimeout(timeout);
          resolve();
        }, o.quietMs ?? 4000);
      };
      armQuiet();
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          out.push({ topic, partition, offset: message.offset, key: message.key?.toString() ?? '', schemaId: message.value!.readUInt32BE(1), value: (await registry.decode(message.value!)) as ChangeRecord['value'] });
          armQuiet();
          if (o.count !== undefined && out.length === o.count) {
            clearTimeout(timeout);
            // keep listening a little: records beyond the expected count are duplicates or strays
            setTimeout(resolve, o.extraMs ?? 0);
          }
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Records in binlog order: by source position, then offset within a partition. */
export function inBinlogOrder(rs: ChangeRecord[]): ChangeRecord[] {
  return [...rs].sort((a, b) => a.value.source.file.localeCompare(b.value.source.file) || a.value.source.pos - b.value.source.pos || Number(BigInt(a.offset) - BigInt(b.offset)));
}
