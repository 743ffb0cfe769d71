import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { configSchema, type Config } from './schema.js';

// Schema → normalise (file, then env on top) → cross-field rules → frozen config.
// Every problem is reported at once, each with its key.

export interface Leaf {
  path: string[];
  env: string;
  kind: 'string' | 'number' | 'boolean' | 'array' | 'enum' | 'other';
  description: string;
  defaultValue: unknown;
}

function unwrap(t: z.ZodType): { inner: z.ZodType; defaultValue: unknown; description: string } {
  let cur: z.ZodType = t;
  let defaultValue: unknown;
  let description = t.description ?? '';
  for (let i = 0; i < 10; i++) {
    if (cur instanceof z.ZodDefault) {
      const d = (cur.def as { defaultValue: unknown }).defaultValue;
      defaultValue ??= typeof d === 'function' ? (d as () => unknown)() : d;
      cur = cur.def.innerType as z.ZodType;
    } else if (cur instanceof z.ZodOptional || cur instanceof z.ZodNullable || cur instanceof z.ZodPrefault) {
      cur = cur.def.innerType as z.ZodType;
    } else break;
    description ||= cur.description ?? '';
  }
  return { inner: cur, defaultValue, description };
}

const envName = (path: string[]) =>
  'CDC_' + path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');

/** Every scalar key of the config, with its env var, description and default. */
export function configLeaves(schema: z.ZodType = configSchema, path: string[] = []): Leaf[] {
  const { inner, defaultValue, description } = unwrap(schema);
  if (inner instanceof z.ZodObject) {
    return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([k, v]) => configLeaves(v, [...path, k]));
  }
  const kind: Leaf['kind'] =
    inner instanceof z.ZodString ? 'string'
    : inner instanceof z.ZodNumber ? 'number'
    : inner instanceof z.ZodBoolean ? 'boolean'
    : inner instanceof z.ZodArray ? 'array'
    : inner instanceof z.ZodEnum ? 'enum'
    : 'other';
  return [{ path, env: envName(path), kind, description, defaultValue }];
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = target;
  for (const k of path.slice(0, -1)) {
    const next = cur[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

function envValue(leaf: Leaf, raw: string, errors: string[]): unknown {
  switch (leaf.kind) {
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) errors.push(`${leaf.env}: expected a number, got "${raw}"`);
      return n;
    }
    case 'boolean':
      if (!/^(true|false|1|0)$/i.test(raw)) errors.push(`${leaf.env}: expected true or false, got "${raw}"`);
      return /^(true|1)$/i.test(raw);
    case 'array':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    default:
      return raw;
  }
}

/** Environment names documented before their keys existed; the CDC_* name of the key wins over them. */
export const LEGACY_ENV: Record<string, string[]> = {
  EXPORTER_EXTENDED_LOG: ['exporter', 'extendedLog'],
  EXPORTER_PROFILER: ['exporter', 'profiler'],
  EXPORTER_LOG_PROGRESS_INTERVAL: ['exporter', 'logProgressInterval'],
};

/** Edit distance (Levenshtein) between two keys. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The keys the schema allows at this path (a record's entries take its value schema). */
function keysAt(path: PropertyKey[], schema: z.ZodType = configSchema): string[] {
  let cur = unwrap(schema).inner;
  for (const k of path) {
    if (cur instanceof z.ZodObject) {
      const next = (cur.shape as Record<string, z.ZodType>)[String(k)];
      if (!next) return [];
      cur = unwrap(next).inner;
    } else if (cur instanceof z.ZodRecord) {
      cur = unwrap(cur.def.valueType as z.ZodType).inner;
    } else return [];
  }
  return cur instanceof z.ZodObject ? Object.keys(cur.shape as object) : [];
}

/** `mysql.hots: unknown key (did you mean mysql.host?)`, the closest valid key when one is close. */
export function unknownKeyError(path: PropertyKey[], key: string): string {
  const where = [...path.map(String), key].join('.');
  const valid = keysAt(path);
  const best = valid.map((v) => ({ v, d: editDistance(key.toLowerCase(), v.toLowerCase()) })).sort((a, b) => a.d - b.d)[0];
  const near = best && best.d <= Math.max(2, Math.floor(key.length / 3));
  const prefix = path.length ? `${path.map(String).join('.')}.` : '';
  return near ? `${where}: unknown key (did you mean ${prefix}${best.v}?)` : `${where}: unknown key (valid: ${valid.join(', ')})`;
}

export interface LoadResult {
  config: Config | undefined;
  warnings: string[];
  errors: string[];
}

export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError('CONFIG_FILE_UNREADABLE', `cannot read config file ${file}: ${(e as Error).message}`, {
      fix: 'pass an existing file with --config, or omit it to use defaults and CDC_* variables',
    });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true });
  } catch (e) {
    const first = (e as Error).message.split('\n')[0];
    throw new ConfigError('CONFIG_FILE_MALFORMED', `config file ${file} is not valid YAML/JSON: ${first}`, {
      fix: 'correct the syntax at the reported line',
    });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError('CONFIG_FILE_MALFORMED', `config file ${file} must hold a mapping at the top level`, {
      fix: 'write keys such as `prefix:` and `mysql:` at the top level',
    });
  }
  return doc as Record<string, unknown>;
}

/** Builds the config from a file's contents and the environment; never throws for bad values. */
export function buildConfig(fileDoc: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): LoadResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const merged = structuredClone(fileDoc);
  const leaves = configLeaves();
  for (const [name, path] of Object.entries(LEGACY_ENV)) {
    const raw = env[name];
    const leaf = leaves.find((l) => l.path.join('.') === path.join('.'));
    if (raw !== undefined && leaf && env[leaf.env] === undefined) setPath(merged, leaf.path, envValue({ ...leaf, env: name }, raw, errors));
  }
  for (const leaf of leaves) {
    const raw = env[leaf.env];
    if (raw !== undefined) setPath(merged, leaf.path, envValue(leaf, raw, errors));
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) errors.push(unknownKeyError(issue.path, k));
        continue;
      }
      const key = issue.path.join('.') || '(top level)';
      errors.push(`${key}: ${issue.message}`);
    }
    return { config: undefined, warnings, errors };
  }
  const config = parsed.data;
  // cross-field rules
  if (config.publisher.downstream === 'http' && !/^https?:/.test(config.publisher.baseUrl)) {
    errors.push('publisher.baseUrl: must be an http(s) URL when publisher.downstream is http');
  }
  if (config.dashboard.host !== '127.0.0.1' && config.dashboard.host !== 'localhost' && !config.dashboard.token) {
    warnings.push('dashboard.token: the status page listens beyond loopback without a token');
  }
  if (config.mysql.password === '') warnings.push('mysql.password: empty');
  return { config: errors.length ? undefined : deepFreeze(config), warnings, errors };
}

/** Loads file + env, throwing one CONFIG_INVALID error that lists every problem. */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): { config: Config; warnings: string[] } {
  const doc = file ? readConfigFile(file) : {};
  const r = buildConfig(doc, env);
  if (!r.config) {
    throw new ConfigError('CONFIG_INVALID', `${r.errors.length} problem(s) in the configuration: ${r.errors.join('; ')}`, {
      fix: 'correct the listed keys in the config file or the CDC_* environment variables (README, Configuration)',
      context: { errors: r.errors },
    });
  }
  return { config: r.config, warnings: r.warnings };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
