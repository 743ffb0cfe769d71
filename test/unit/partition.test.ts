// partitionFor() must put a key where kafkajs' default partitioner (the Java
// client's murmur2) puts it: readers, exporters, publishers and any Java tool
// agree on the partition of a source entity id.
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { murmur2, partitionFor } from '../../src/kafka/topics.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: string | Buffer) => number;

it('hashes keys of every length and alphabet as kafkajs does', () => {
  const keys = ['', 'a', 'ab', 'abc', 'abcd', 'abcde', '0', '1', '42', '100000', 'SKU-000001', 'ünïcödé', '中文键', '😀 emoji', 'x'.repeat(1000)];
  for (let i = 0; i < 5000; i++) keys.push(String(i * 7919), `${i}/${i % 13}`, Math.random().toString(36).slice(2, 2 + (i % 20)));
  for (const k of keys) {
    expect(murmur2(k) & 0x7fffffff, k).toBe(kafkajsMurmur2(k) & 0x7fffffff);
    for (const n of [1, 3, 7, 12]) expect(partitionFor(k, n)).toBe((kafkajsMurmur2(k) & 0x7fffffff) % n);
  }
});

it('matches the Java client on known keys', () => {
  // org.apache.kafka.common.utils.Utils.murmur2 of these UTF-8 strings
  expect(murmur2('21')).toBe(-973932308);
  expect(murmur2('foobar')).toBe(-790332482);
  expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
  expect(murmur2('a-little-bit-longer-string')).toBe(-1486304829);
  expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
});
