import { expect, it } from 'vitest';
import { configurablePlan, normalizeSeedOptions } from '../../src/tools/seed/options.js';

const plan = (products: number, configurables: number, children = 3) => configurablePlan(normalizeSeedOptions({ products, configurables, childrenPerConfigurable: children }));

it('gives parents their own children while they fit in the products', () => {
  expect(plan(1000, 0.05)).toEqual({ own: 50, shared: 0 });
  expect(plan(100_000, 25_000)).toEqual({ own: 25_000, shared: 0 });
  expect(plan(10, 0)).toEqual({ own: 0, shared: 0 });
});

it('lets parents share children beyond that, keeping a tenth of the products for other types', () => {
  // the benchmark catalog: 30,000 configurables with 3 children each in 100,000 products
  const p = plan(100_000, 30_000);
  expect(p).toEqual({ own: 20_000, shared: 10_000 });
  expect(100_000 - p.shared - p.own * 4).toBe(10_000);
  for (const [products, wanted, c] of [[400, 120, 3], [1000, 999, 2], [50, 40, 5], [100_000, 0.4, 3], [7, 7, 1]] as const) {
    const q = plan(products, wanted, c);
    expect(q.shared, `${products}/${wanted}/${c}`).toBeLessThanOrEqual(q.own);
    expect(q.own + q.shared).toBeLessThanOrEqual(wanted < 1 ? Math.floor(products * wanted) : wanted);
    expect(products - q.shared - q.own * (1 + c)).toBeGreaterThanOrEqual(0);
  }
});
