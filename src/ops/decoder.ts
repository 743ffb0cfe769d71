import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Config } from '../config/schema.js';
import { RegistryError } from '../errors.js';
import { scrubSecrets } from '../log.js';

export interface RecordDecoder {
  /** Decodes a Confluent wire-format Avro value through the registry (schemas cached by id). */
  decode(value: Buffer): Promise<Record<string, unknown>>;
}

/** Decodes through the process's registry client; a failure is REGISTRY_UNREACHABLE with the configured URL. */
export function createDecoder(registry: SchemaRegistry, config: Pick<Config, 'registry'>): RecordDecoder {
  const r = config.registry;
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
