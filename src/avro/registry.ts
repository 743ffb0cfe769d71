import { RegistryError } from '../errors.js';

// A small client for the Confluent-compatible registry API (Apicurio's ccompat
// included): register a subject version, read the latest, set compatibility.
// Subjects follow TopicRecordNameStrategy: `<topic>-<record full name>`.

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
