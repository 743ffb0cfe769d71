// optionIdsOf(): the option ids a select or multiselect value names, with the
// usual "12,15,31" form taken on a fast path that must agree with the general one.
import { expect, it } from 'vitest';
import { optionIdsOf } from '../../src/feeds/products/attributes.js';

/** The general rule: comma-separated, trimmed, digits only. */
const reference = (raw: string): number[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^\d+$/.test(s))
    .map(Number);

it('reads select and multiselect values as the general rule does', () => {
  const values = ['12', '12,15,31', '007,8', ' 12, 15 ', '12,,15', 'a,12', '', ',', '1 2', '12,', ',12', '\u00a012\u00a0', '3.5,4', '-1,2', '99999999999999999999'];
  for (const v of values) expect(optionIdsOf(v), JSON.stringify(v)).toEqual(reference(v));
  expect(optionIdsOf('12,15,31')).toEqual([12, 15, 31]);
  expect(optionIdsOf(' 12, x, 15 ')).toEqual([12, 15]);
});
