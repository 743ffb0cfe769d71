import confluent from '@kafkajs/confluent-schema-registry';
import type { Config } from '../config/schema.js';
import { RegistryError } from '../errors.js';
import { scrubSecrets } from '../log.js';

const { SchemaRegistry } = confluent;

export interface RecordDecoder {
  /** Decodes a Confluent wire-format Avro value through the registry (schemas cached by id). */
  decode(value: Buffer): Promise<Record<string, unknown>>;
}

/** The registry-based decoder, with the configured basic auth. */
export function createDecoder(config: Config): RecordDecoder {
  const r = config.registry;
  const registry = new SchemaRegistry({
    host: r.url.replace(/\/+$/, ''),
    auth: r.username ? { username: r.username, password: r.password ?? '' } : undefined,
    retry: { retries: 2 },
  });
  return {
    async decode(value) {
      try {
        return (await registry.decode(value)) as Record<string, unknown>;
      } catch (e) {
        const msg = (e as Error).message ?? String(e);
        throw new RegistryError('REGISTRY_UNREACHABLE', scrubSecrets(`cannot decode a record through the schema registry at ${r.url}: ${msg}`, [r.password]), {
          fix: 'check registry.url and that the registry runs (and still holds the schemas: an in-memory registry forgets them on restart)',
          cause: e,
        });
      }
    },
  };
}
