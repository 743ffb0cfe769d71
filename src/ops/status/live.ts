import type { Kafka } from 'kafkajs';
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../log.js';
import type { RecordDecoder } from '../decoder.js';
import { configuredFeeds, reportFrom, type StatusReport, type StatusSource } from './index.js';
import { StatusTracker } from './tracker.js';

// The dashboard's status source: a tracker that keeps tailing the topics, a report
// recomputed every `intervalMs`, and a short history for the throughput chart.

export interface HistorySample {
  t: number;
  /** Totals over all feeds at time t. */
  items: number;
  sent: number;
  failed: number;
  pending: number;
}

export interface LiveStatusReport extends StatusReport {
  history: HistorySample[];
}

export class LiveStatus implements StatusSource {
  private readonly tracker: StatusTracker;
  private readonly config: Config;
  private readonly log: Logger;
  private readonly intervalMs: number;
  private readonly keep: number;
  private readonly history: HistorySample[] = [];
  private latest: StatusReport | undefined;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<StatusReport> | undefined;

  constructor(o: { config: Config; log: Logger; kafka: Kafka; decoder: RecordDecoder; feeds?: string[] | undefined; intervalMs?: number; keepSamples?: number }) {
    this.config = o.config;
    this.log = o.log;
    this.intervalMs = o.intervalMs ?? 2000;
    this.keep = o.keepSamples ?? 300;
    this.tracker = new StatusTracker({ ...o, feeds: o.feeds?.length ? o.feeds : configuredFeeds(o.config), topicRefreshMs: 3000 });
  }

  async start(): Promise<void> {
    await this.tracker.start(true);
    await this.tracker.caughtUp(10_000);
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch((e: unknown) => this.log.warn({ operation: 'status', err: e }, 'status refresh failed')), this.intervalMs);
    this.timer.unref();
  }

  private refresh(): Promise<StatusReport> {
    this.refreshing ??= (async () => {
      try {
        const complete = await this.tracker.caughtUp(0);
        const r = await reportFrom(this.tracker, this.config, complete);
        this.latest = r;
        const sum = (k: 'items' | 'sent' | 'failed' | 'pending') => r.feeds.reduce((a, f) => a + f[k] + (k === 'items' ? f.deleted : 0), 0);
        this.history.push({ t: Date.parse(r.generatedAt), items: sum('items'), sent: sum('sent'), failed: sum('failed'), pending: sum('pending') });
        if (this.history.length > this.keep) this.history.splice(0, this.history.length - this.keep);
        return r;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  async current(): Promise<LiveStatusReport> {
    const r = this.latest ?? (await this.refresh());
    return { ...r, history: [...this.history] };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.refreshing?.catch(() => undefined);
    await this.tracker.stop();
  }
}
