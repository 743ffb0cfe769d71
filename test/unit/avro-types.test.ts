import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../src/avro/columns.js';
import { buildTableCodec, previousValueOf } from '../../src/avro/envelope.js';
import { bigintToBytes, bytesToBigint, columnCodec, decimalFromBytes, decimalToUnscaled, datetimeToMicros, dateToDays, timeToMicros } from '../../src/avro/types.js';

const col = (name: string, dataType: string, columnType: string, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({
  name,
  dataType,
  columnType,
  nullable: false,
  precision: null,
  scale: null,
  unsigned: /unsigned/.test(columnType),
  pkPosition: 0,
  ...extra,
});

describe('MySQL → Avro types', () => {
  it('encodes decimals as two-complement unscaled bytes and back without loss', () => {
    for (const [v, scale] of [['-12345678901234.123456', 6], ['0.0001', 4], ['99999999999999.999999', 6], ['-1', 0], ['128', 0], ['-128', 0], ['0', 2]] as const) {
      const buf = bigintToBytes(decimalToUnscaled(v, scale));
      expect(decimalFromBytes(buf, scale)).toBe(scale ? v.includes('.') ? v : `${v}.${'0'.repeat(scale)}` : v);
    }
    expect(bigintToBytes(-1n)).toEqual(Buffer.from([0xff]));
    expect(bigintToBytes(128n)).toEqual(Buffer.from([0x00, 0x80]));
    expect(bytesToBigint(Buffer.from([0xff, 0x7f]))).toBe(-129n);
  });

  it('maps BIGINT UNSIGNED to decimal(20,0) so the maximum stays positive', () => {
    const c = columnCodec(col('n', 'bigint', 'bigint(20) unsigned'));
    expect(c.type).toEqual({ type: 'bytes', logicalType: 'decimal', precision: 20, scale: 0 });
    expect(decimalFromBytes(c.convert('18446744073709551615') as Buffer, 0)).toBe('18446744073709551615');
    expect(columnCodec(col('i', 'int', 'int(10) unsigned')).type).toBe('long');
    expect(columnCodec(col('i', 'int', 'int(11)')).type).toBe('int');
    expect(columnCodec(col('b', 'tinyint', 'tinyint(1)')).type).toBe('int');
  });

  it('maps temporal types to logical types and zero dates to null', () => {
    expect(datetimeToMicros('2026-01-02 03:04:05.123456')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5) * 1000 + 123456);
    expect(datetimeToMicros('0000-00-00 00:00:00')).toBeNull();
    expect(dateToDays('1970-01-02')).toBe(1);
    expect(dateToDays('0000-00-00')).toBeNull();
    expect(timeToMicros('-12:34:56.789')).toBe(-(45296 * 1_000_000 + 789_000));
    const dt = columnCodec(col('d', 'datetime', 'datetime(6)'));
    expect(dt.nullable).toBe(true);
    expect(dt.type).toEqual({ type: 'long', logicalType: 'timestamp-micros' });
  });

  it('round-trips an envelope and keeps evolution backward compatible', () => {
    const cols = [col('id', 'int', 'int(10) unsigned', { pkPosition: 1 }), col('price', 'decimal', 'decimal(12,4)', { precision: 12, scale: 4 }), col('name', 'varchar', 'varchar(255)', { nullable: true })];
    const codec = buildTableCodec('catalog_product_entity', cols);
    expect(codec.fullName).toBe('commerce_cdc.catalog_product_entity.Envelope');
    const after = codec.toValue({ id: 7, price: '12.5000', name: 'hi 😀' });
    const source = { server: 's', file: 'mysql-bin.000001', pos: 4, gtid: '0-1-1', ts_ms: 1, db: 'db', table: 'catalog_product_entity', snapshot: false };
    const body = Buffer.concat([codec.encodeHead('c', null, after, source), codec.encodeEntity({ type: 'product', id: '7', feed: 'products' })]);
    const decoded = codec.decode(body) as { op: string; after: { id: number; price: Buffer; name: string }; entity: { id: string } };
    expect(decoded.op).toBe('c');
    expect(decoded.after.id).toBe(7);
    expect(decimalFromBytes(decoded.after.price, 4)).toBe('12.5000');
    expect(decoded.after.name).toBe('hi 😀');
    expect(decoded.entity.id).toBe('7');
    // a column added later is nullable with default null, even though NOT NULL in the table
    const prev = previousValueOf(JSON.stringify(codec.schema));
    const next = buildTableCodec('catalog_product_entity', [...cols, col('qty', 'int', 'int(11)')], prev);
    expect(next.codecs.find((c) => c.name === 'qty')?.nullable).toBe(true);
    expect(next.codecs.find((c) => c.name === 'id')?.nullable).toBe(false);
  });
});
