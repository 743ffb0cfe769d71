import { Counter, Gauge, Histogram } from 'prom-client';
import { Metrics } from '../metrics.js';
import { statusGauges } from './gauges.js';

// README's Metrics table, generated from the registry that /metrics serves (the
// parts' metrics and the dashboard's status gauges), like `config --describe`.

const kind = (m: unknown) => (m instanceof Counter ? 'counter' : m instanceof Histogram ? 'histogram' : m instanceof Gauge ? 'gauge' : 'summary');
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Markdown table of every connector metric: `commerce-cdc config --metrics`. */
export function describeMetrics(): string {
  const metrics = new Metrics({ defaults: false });
  statusGauges(metrics, async () => undefined);
  const rows = metrics.registry
    .getMetricsAsArray()
    .map((m) => {
      const labels = (m as unknown as { labelNames?: string[] }).labelNames ?? [];
      const name = (m as unknown as { name: string }).name;
      const help = (m as unknown as { help: string }).help;
      return { name, row: `| \`${name}\` | ${kind(m)} | ${labels.map((l) => `\`${l}\``).join(', ')} | ${cell(help)} |` };
    })
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((r) => r.row);
  return [
    '| Metric | Type | Labels | Meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
    'Besides these, prom-client\'s default `process_*` and `nodejs_*` metrics (CPU, memory, event loop lag, GC, handles) of the process.',
  ].join('\n') + '\n';
}
