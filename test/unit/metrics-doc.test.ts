import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeMetrics } from '../../src/dashboard/metricsDoc.js';

describe('README, Metrics', () => {
  it('is the current `config --metrics` output', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const m = /<!-- metrics:begin[^\n]*-->\n([\s\S]*?)<!-- metrics:end -->/.exec(readme);
    expect(m?.[1]).toBe(describeMetrics());
  });

  it('lists every cdc_ metric with its type and a meaning', () => {
    const rows = describeMetrics().split('\n').filter((l) => l.startsWith('| `cdc_'));
    expect(rows.length).toBeGreaterThanOrEqual(18);
    for (const r of rows) expect(r).toMatch(/^\| `cdc_[a-z_]+` \| (counter|gauge|histogram) \| [^|]* \| .{15,} \|$/);
  });
});
