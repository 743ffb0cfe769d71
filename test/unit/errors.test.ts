import { describe, expect, it } from 'vitest';
import { CdcError, ConfigError, ERROR_CODES, isCdcError, isRetriable } from '../../src/errors.js';

describe('CdcError', () => {
  it('prints one line: code, message, fix', () => {
    const e = new CdcError('FEED_UNKNOWN', 'unknown feed "nope"', { fix: 'use one of: products' });
    expect(e.toLine()).toBe('FEED_UNKNOWN: unknown feed "nope". Fix: use one of: products');
  });

  it('folds a multi-line message into one line', () => {
    const e = new CdcError('MYSQL_QUERY_FAILED', 'line one\n  line two\n');
    expect(e.toLine()).toBe('MYSQL_QUERY_FAILED: line one line two');
    expect(e.toLine()).not.toContain('\n');
  });

  it("takes exit status and retriable from the code, retriable overridable", () => {
    const e = new CdcError('KAFKA_UNREACHABLE', 'x');
    expect(e.exitCode).toBe(4);
    expect(e.retriable).toBe(true);
    expect(new CdcError('KAFKA_UNREACHABLE', 'x', { retriable: false }).retriable).toBe(false);
    expect(new ConfigError('CONFIG_INVALID', 'x').exitCode).toBe(2);
  });

  it('keeps its cause', () => {
    const cause = new Error('ECONNREFUSED');
    expect(new CdcError('MYSQL_UNREACHABLE', 'x', { cause }).cause).toBe(cause);
  });

  it('has a non-zero exit status for every code', () => {
    for (const [code, v] of Object.entries(ERROR_CODES)) expect(v.exit, code).toBeGreaterThan(0);
  });

  it('isCdcError recognises subclasses only', () => {
    expect(isCdcError(new ConfigError('CONFIG_INVALID', 'x'))).toBe(true);
    expect(isCdcError(new Error('x'))).toBe(false);
  });
});

describe('isRetriable', () => {
  it('follows the cause chain to the first CdcError or retriable flag', () => {
    const inner = new CdcError('KAFKA_UNREACHABLE', 'down');
    expect(isRetriable(new Error('wrapper', { cause: inner }))).toBe(true);
    expect(isRetriable(new Error('wrapper', { cause: new CdcError('MYSQL_AUTH_FAILED', 'no') }))).toBe(false);
    expect(isRetriable(Object.assign(new Error('kafkajs'), { retriable: true }))).toBe(true);
  });

  it('an outer CdcError decides over its cause', () => {
    const e = new CdcError('CONFIG_INVALID', 'x', { cause: new CdcError('KAFKA_UNREACHABLE', 'y') });
    expect(isRetriable(e)).toBe(false);
  });

  it('plain errors and non-errors are not retriable', () => {
    expect(isRetriable(new Error('boom'))).toBe(false);
    expect(isRetriable(undefined)).toBe(false);
    expect(isRetriable('text')).toBe(false);
  });
});
