import { Gauge } from 'prom-client';
import type { Metrics } from '../metrics.js';
import type { StatusReport } from '../ops/status/index.js';

/** Status figures as gauges, so Prometheus sees what the page shows (and alerts on it: docs/prometheus/alerts.yml). */
export function statusGauges(metrics: Metrics, latest: () => Promise<StatusReport | undefined>): void {
  if (metrics.registry.getSingleMetric('cdc_feed_items')) return;
  new Gauge({
    name: 'cdc_feed_items',
    help: 'Items per feed by state (items, deleted, sent, failed, pending), from the topics',
    labelNames: ['feed', 'state'] as const,
    registers: [metrics.registry],
    async collect() {
      const r = await latest();
      if (!r) return;
      for (const f of r.feeds) for (const s of ['items', 'deleted', 'sent', 'failed', 'pending'] as const) this.set({ feed: f.feed, state: s }, f[s]);
    },
  });
  new Gauge({
    name: 'cdc_feed_changes_lag',
    help: 'Records of <prefix>.<feed>.changes that the feed\'s exporter group has not committed yet',
    labelNames: ['feed'] as const,
    registers: [metrics.registry],
    async collect() {
      const r = await latest();
      if (!r) return;
      for (const f of r.feeds) if (typeof f.changesLag === 'number') this.set({ feed: f.feed }, f.changesLag);
    },
  });
  new Gauge({
    name: 'cdc_reader_binlog_behind_bytes',
    help: 'Binlog bytes between the stored reader position and the server',
    registers: [metrics.registry],
    async collect() {
      const b = (await latest())?.reader.bytesBehind;
      if (typeof b === 'number') this.set(b);
    },
  });
  new Gauge({
    name: 'cdc_reader_binlog_behind_seconds',
    help: 'Seconds between the stored reader position and the newest binlog event on the server',
    registers: [metrics.registry],
    async collect() {
      const s = (await latest())?.reader.lagSeconds;
      if (typeof s === 'number') this.set(s);
    },
  });
}
