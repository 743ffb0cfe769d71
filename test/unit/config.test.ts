import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig, configLeaves, editDistance, loadConfig } from '../../src/config/load.js';
import { describeConfig } from '../../src/cli/commands/config.js';
import { CdcError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'cdc-config-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('configuration', () => {
  it('gives every key a default-filled, valid config from nothing', () => {
    const r = buildConfig({}, {});
    expect(r.errors).toEqual([]);
    expect(r.config?.prefix).toBe('commerce');
    expect(r.config?.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(r.config?.dashboard.host).toBe('127.0.0.1');
  });

  it('reports all problems at once, each with its key', () => {
    const r = buildConfig({ prefix: 'bad prefix!', mysql: { port: 70000 }, kafka: { partitions: 0 }, publisher: { baseUrl: 'not a url' } }, {});
    expect(r.config).toBeUndefined();
    const keys = r.errors.map((e) => e.split(':')[0]);
    expect(keys).toEqual(expect.arrayContaining(['prefix', 'mysql.port', 'kafka.partitions', 'publisher.baseUrl']));
  });

  it('lets environment variables override the file', () => {
    const r = buildConfig(
      { prefix: 'fromfile', mysql: { port: 3306, host: 'db' }, kafka: { brokers: ['a:1'] } },
      { CDC_PREFIX: 'fromenv', CDC_MYSQL_PORT: '3407', CDC_KAFKA_BROKERS: 'b:1, c:2', CDC_DASHBOARD_ENABLED: 'false' },
    );
    expect(r.errors).toEqual([]);
    expect(r.config?.prefix).toBe('fromenv');
    expect(r.config?.mysql.port).toBe(3407);
    expect(r.config?.mysql.host).toBe('db');
    expect(r.config?.kafka.brokers).toEqual(['b:1', 'c:2']);
    expect(r.config?.dashboard.enabled).toBe(false);
  });

  it('names the variable of a malformed environment value', () => {
    const r = buildConfig({}, { CDC_MYSQL_PORT: 'abc', CDC_PUBLISHER_GZIP: 'maybe' });
    expect(r.errors.join('\n')).toContain('CDC_MYSQL_PORT');
    expect(r.errors.join('\n')).toContain('CDC_PUBLISHER_GZIP');
  });

  it('reports an unknown key', () => {
    const r = buildConfig({ prefix: 'x', kafak: { brokers: ['a:1'] } }, {});
    expect(r.config).toBeUndefined();
    expect(r.errors.join('\n')).toMatch(/kafak/);
  });

  it('applies cross-field rules as errors and warnings', () => {
    const r = buildConfig({ dashboard: { host: '0.0.0.0' }, mysql: { password: '' }, publisher: { downstream: 'http', baseUrl: 'ftp://example.com' } }, {});
    expect(r.config).toBeUndefined();
    expect(r.errors).toEqual(['publisher.baseUrl: must be an http(s) URL when publisher.downstream is http']);
    expect(r.warnings.join('\n')).toMatch(/dashboard\.token/);
    expect(r.warnings.join('\n')).toMatch(/mysql\.password/);
    // the same input without the error: warnings only, and a config
    const ok = buildConfig({ dashboard: { host: '0.0.0.0' }, mysql: { password: '' } }, {});
    expect(ok.errors).toEqual([]);
    expect(ok.config).toBeDefined();
    expect(ok.warnings).toHaveLength(2);
  });

  it('refuses a typo in a nested key, naming the closest valid one', () => {
    const r = buildConfig({ mysql: { hots: 'db' }, kafka: { tls: { enabeld: true } }, exporter: { tuning: { products: { batchsize: 10 } } } }, {});
    expect(r.config).toBeUndefined();
    expect(r.errors).toEqual(
      expect.arrayContaining([
        'mysql.hots: unknown key (did you mean mysql.host?)',
        'kafka.tls.enabeld: unknown key (did you mean kafka.tls.enabled?)',
        'exporter.tuning.products.batchsize: unknown key (did you mean exporter.tuning.products.batchSize?)',
      ]),
    );
    expect(r.errors).toHaveLength(3);
  });

  it('lists the valid keys when none is close', () => {
    const r = buildConfig({ registry: { zzzzzzzz: 1 } }, {});
    expect(r.errors).toEqual(['registry.zzzzzzzz: unknown key (valid: url, username, password)']);
  });

  it('throws CONFIG_INVALID for mysql.hots from a file', () => {
    const p = file('typo.yaml', 'mysql:\n  hots: db\n');
    expect(() => loadConfig(p, {})).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('mysql.hots: unknown key (did you mean mysql.host?)') }));
  });

  it('measures the distance between keys', () => {
    expect(editDistance('hots', 'host')).toBe(2);
    expect(editDistance('batchsize', 'batchSize')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('reads the documented EXPORTER_* variables into their keys; the CDC_* name wins', () => {
    const r = buildConfig({}, { EXPORTER_EXTENDED_LOG: '1', EXPORTER_PROFILER: '1', EXPORTER_LOG_PROGRESS_INTERVAL: '7', CDC_RETRY_SCALE: '0.5' });
    expect(r.errors).toEqual([]);
    expect(r.config?.exporter).toMatchObject({ extendedLog: true, profiler: true, logProgressInterval: 7 });
    expect(r.config?.retryScale).toBe(0.5);
    expect(buildConfig({}, { EXPORTER_PROFILER: '1', CDC_EXPORTER_PROFILER: 'false' }).config?.exporter.profiler).toBe(false);
    expect(buildConfig({}, {}).config?.exporter).toMatchObject({ extendedLog: false, profiler: false });
    expect(buildConfig({}, {}).config?.exporter.logProgressInterval).toBeUndefined();
  });

  it('freezes the result, deeply', () => {
    const { config } = buildConfig({ mysql: { password: 'pw' } }, {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config?.mysql)).toBe(true);
    expect(() => {
      (config as { mysql: { host: string } }).mysql.host = 'elsewhere';
    }).toThrow(TypeError);
  });

  it('throws one CONFIG_INVALID listing every problem', () => {
    const p = file('bad.yaml', 'mysql:\n  port: -1\nkafka:\n  partitions: 0\n');
    try {
      loadConfig(p, {});
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CdcError);
      const line = (e as CdcError).toLine();
      expect(line).toMatch(/^CONFIG_INVALID: 2 problem\(s\)/);
      expect(line).toContain('mysql.port');
      expect(line).toContain('kafka.partitions');
      expect(line).not.toContain('\n');
    }
  });

  it('turns malformed YAML into one CONFIG_FILE_MALFORMED line', () => {
    const p = file('malformed.yaml', 'mysql:\n  host: [unclosed\n  port: 3306\n');
    try {
      loadConfig(p, {});
      expect.unreachable();
    } catch (e) {
      expect((e as CdcError).code).toBe('CONFIG_FILE_MALFORMED');
      expect((e as CdcError).toLine()).not.toContain('\n');
      expect((e as CdcError).exitCode).toBe(2);
    }
  });

  it('rejects a missing file with CONFIG_FILE_UNREADABLE', () => {
    expect(() => loadConfig(join(dir, 'nope.yaml'), {})).toThrow(expect.objectContaining({ code: 'CONFIG_FILE_UNREADABLE' }));
  });

  it('reads JSON as well as YAML', () => {
    const p = file('c.json', JSON.stringify({ prefix: 'json', kafka: { partitions: 6 } }));
    expect(loadConfig(p, {}).config.kafka.partitions).toBe(6);
  });

  it('describes every leaf with its env var and a description', () => {
    const leaves = configLeaves();
    expect(leaves.length).toBeGreaterThan(30);
    for (const l of leaves) {
      expect(l.description, l.path.join('.')).not.toBe('');
      expect(l.env).toMatch(/^CDC_[A-Z0-9_]+$/);
    }
    expect(leaves.find((l) => l.path.join('.') === 'mysql.tablePrefix')?.env).toBe('CDC_MYSQL_TABLE_PREFIX');
  });

  it("README's Configuration table is the current `config --describe` output", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const m = /<!-- config:begin[^\n]*-->\n([\s\S]*?)<!-- config:end -->/.exec(readme);
    expect(m?.[1]).toBe(describeConfig());
  });
});
