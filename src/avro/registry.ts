import registryPkg, { type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Config } from '../config/schema.js';
import { RegistryError } from '../errors.js';

// All schema registry traffic starts here; createConnector (and the ops commands through
// createClients) build each client once and pass it down. Subjects follow
// TopicRecordNameStrategy: `<topic>-<record full name>`.
//
// Two clients, each for what it does well:
// - the library `@kafkajs/confluent-schema-registry` (createRegistry): schema lookups by id (cached),
//   decoding, and registering the fixed records (item envelope, trigger, status);
// - RegistryClient: the reader's table envelopes, which evolve with the DDL. The library's register()
//   first compares the subject's compatibility level with its own option and refuses when they
//   differ: measured against the stack's Apicurio ccompat API, after an operator set a subject to
//   NONE (the documented fix for REGISTRY_INCOMPATIBLE_SCHEMA) every later register() failed with
//   ConfluentSchemaRegistryCompatibilityError "BACKWARD != NONE" before reaching the registry, where
//   this client registers; it also maps each answer to REGISTRY_UNREACHABLE / _INCOMPATIBLE_SCHEMA.

const { SchemaRegistry: RegistryCtor } = registryPkg;

/** The library client, with the configured URL and basic auth. */
export function createRegistry(config: Pick<Config, 'registry'>): SchemaRegistry {
  const r = config.registry;
  return new RegistryCtor({ host: r.url.replace(/\/+$/, ''), auth: r.username ? { username: r.username, password: r.password ?? '' } : undefined });
}

export interface RegistryOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
}

export const subjectFor = (topic: string, recordFullName: string) => `${topic}-${recordFullName}`;

export class RegistryClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly ids = new Map<string, number>();

  constructor(o: RegistryOptions) {
    this.base = o.url.replace(/\/+$/, '');
    this.headers = { 'content-type': 'application/vnd.schemaregistry.v1+json', accept: 'application/json' };
    if (o.username) this.headers.authorization = 'Basic ' + Buffer.from(`${o.username}:${o.password ?? ''}`).toString('base64');
  }

  private async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers: this.headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
    } catch (e) {
      throw new RegistryError('REGISTRY_UNREACHABLE', `cannot reach the schema registry at ${this.base} (${(e as Error).message})`, {
        fix: 'check registry.url and that the registry runs',
        cause: e,
      });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    if (res.status >= 500) {
      throw new RegistryError('REGISTRY_UNREACHABLE', `schema registry error ${res.status} on ${method} ${path}: ${text.slice(0, 200)}`, { fix: 'check the registry logs' });
    }
    return { status: res.status, json };
  }

  /** Latest registered schema text of a subject, or undefined when the subject does not exist. */
  async latest(subject: string): Promise<{ schema: string; id: number } | undefined> {
    const r = await this.call('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`);
    if (r.status === 404) return undefined;
    const j = r.json as { schema?: string; id?: number };
    if (r.status !== 200 || typeof j.schema !== 'string') throw new RegistryError('REGISTRY_UNREACHABLE', `unexpected registry answer ${r.status} for ${subject}`);
    return { schema: j.schema, id: Number(j.id) };
  }

  async setCompatibility(subject: string, level: 'BACKWARD' | 'FULL' | 'NONE'): Promise<void> {
    const r = await this.call('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: level });
    if (r.status >= 300) throw new RegistryError('REGISTRY_UNREACHABLE', `cannot set compatibility of ${subject}: ${r.status} ${JSON.stringify(r.json)}`);
  }

  /** Registers (or finds) the schema under the subject and returns its id; cached per subject and text. */
  async register(subject: string, schema: object): Promise<number> {
    const text = JSON.stringify(schema);
    const cacheKey = subject + '\0' + text;
    const cached = this.ids.get(cacheKey);
    if (cached !== undefined) return cached;
    const r = await this.call('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: text, schemaType: 'AVRO' });
    if (r.status === 409 || r.status === 422) {
      throw new RegistryError('REGISTRY_INCOMPATIBLE_SCHEMA', `the new schema of ${subject} is not compatible with the registered one: ${JSON.stringify(r.json).slice(0, 300)}`, {
        fix: 'a column type change the registry cannot accept under BACKWARD compatibility; set the subject compatibility to NONE or register the new schema by hand',
      });
    }
    const id = (r.json as { id?: number }).id;
    if (r.status >= 300 || typeof id !== 'number') throw new RegistryError('REGISTRY_UNREACHABLE', `cannot register ${subject}: ${r.status} ${JSON.stringify(r.json).slice(0, 200)}`);
    this.ids.set(cacheKey, id);
    return id;
  }
}
