import type { FastifyInstance } from 'fastify';
import type { Logger } from '../log.js';
import type { HistorySample } from '../ops/status/live.js';
import type { StatusReport } from '../ops/status/index.js';

// The throughput chart's last hour: the dashboard samples the status totals while
// the process runs and keeps the last sample of every 10-s bucket for an hour, so a
// page opened now draws the hour before it (GET /api/history), then adds its own polls.

export const BUCKET_MS = 10_000;
export const SPAN_MS = 3_600_000;

/** Totals over all feeds, as the chart plots them (items written include deleted ones). */
export function totals(r: StatusReport): HistorySample {
  const sum = (k: 'items' | 'sent' | 'failed' | 'pending') => r.feeds.reduce((a, f) => a + f[k] + (k === 'items' ? f.deleted : 0), 0);
  return { t: Date.parse(r.generatedAt), items: sum('items'), sent: sum('sent'), failed: sum('failed'), pending: sum('pending') };
}

export class ThroughputHistory {
  private readonly buckets: HistorySample[] = [];
  private timer: NodeJS.Timeout | undefined;

  private readonly o: { bucketMs?: number; spanMs?: number; log?: Logger };

  constructor(o: { bucketMs?: number; spanMs?: number; log?: Logger } = {}) {
    this.o = o;
  }

  private get bucketMs(): number {
    return this.o.bucketMs ?? BUCKET_MS;
  }

  /** Keeps `s` as its bucket's sample (the latest wins) and drops buckets older than the span. */
  record(s: HistorySample): void {
    const last = this.buckets.at(-1);
    if (last && Math.floor(last.t / this.bucketMs) === Math.floor(s.t / this.bucketMs)) this.buckets[this.buckets.length - 1] = s;
    else if (!last || s.t > last.t) this.buckets.push(s);
    const oldest = s.t - (this.o.spanMs ?? SPAN_MS);
    while (this.buckets.length && this.buckets[0]!.t < oldest) this.buckets.shift();
  }

  samples(): HistorySample[] {
    return [...this.buckets];
  }

  /** Samples `current()` every `everyMs` until stop(); a failed read is skipped. */
  start(current: () => Promise<StatusReport | undefined>, everyMs = this.bucketMs / 2): void {
    const take = () =>
      void current()
        .then((r) => r && this.record(totals(r)))
        .catch((e: unknown) => this.o.log?.debug({ operation: 'history', err: e }, 'no status sample'));
    take();
    this.timer = setInterval(take, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  routes(f: FastifyInstance): void {
    f.get('/api/history', async () => ({ bucketMs: this.bucketMs, spanMs: this.o.spanMs ?? SPAN_MS, samples: this.samples() }));
  }
}

/** The page's side: the hour before it opened from /api/history, then every status poll's newer samples. */
export const HISTORY_SCRIPT = `
let hist = [];
async function loadHistory() {
  try {
    const res = await fetch('api/history' + (token ? '?token=' + encodeURIComponent(token) : ''), { headers });
    if (res.ok) { const h = await res.json(); hist = h.samples.concat(hist.filter((s) => !h.samples.length || s.t > h.samples[h.samples.length - 1].t)); }
  } catch (e) { /* the status poll reports errors */ }
}
function withHistory(live) {
  const last = hist.length ? hist[hist.length - 1].t : 0;
  for (const s of live) if (s.t > last) hist.push(s);
  const from = Date.now() - ${SPAN_MS};
  while (hist.length && hist[0].t < from) hist.shift();
  return hist;
}
`;
