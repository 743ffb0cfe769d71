import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Kafka } from 'kafkajs';
import type { Config } from '../config/schema.js';
import { BasePart, type Part } from '../lifecycle.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { RecordDecoder } from '../ops/decoder.js';
import { LiveStatus } from '../ops/status/live.js';
import { configuredFeeds, type StatusSource } from '../ops/status/index.js';
import { statusGauges } from './gauges.js';
import { ThroughputHistory } from './history.js';
import { statusPage } from './page.js';
import { PageResyncs, type RunResync } from './resync.js';

// The "Data Management dashboard": the status page, its JSON, Prometheus metrics
// and a health check, on dashboard.host:port. With dashboard.token set, all but
// /healthz need `Authorization: Bearer <token>` (or ?token= for a browser).

export interface DashboardOptions {
  config: Config;
  log: Logger;
  metrics: Metrics;
  /** The process's clients, for the default status source. */
  kafka?: Kafka;
  decoder?: RecordDecoder;
  /** Where the figures come from; by default a LiveStatus tailing the topics with `kafka` and `decoder`. */
  statusSource?: StatusSource & { start?(): Promise<void>; stop?(): Promise<void> };
  /** Feeds to show (the ones the process runs); default exporter.feeds, else every registered feed. */
  feeds?: string[];
  /** The process's parts, for /healthz (200 only when every one is running). */
  parts?: () => ReadonlyArray<Pick<Part, 'name' | 'state'>>;
  /** The page's Resync action (resync.ts); without it the page's requests get 501. */
  resync?: RunResync;
}

export interface Dashboard extends Part {
  /** The bound address once started (port 0 picks one). */
  url(): string;
}

function tokenOk(req: FastifyRequest, token: string | undefined): boolean {
  if (!token) return true;
  const header = req.headers.authorization ?? '';
  const query = (req.query as { token?: string } | undefined)?.token ?? '';
  const given = header.startsWith('Bearer ') ? header.slice(7) : query;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createDashboard(o: DashboardOptions): Dashboard {
  return new DashboardPart(o);
}

class DashboardPart extends BasePart implements Dashboard {
  readonly name = 'dashboard';
  private readonly o: DashboardOptions;
  private readonly log: Logger;
  private readonly source: NonNullable<DashboardOptions['statusSource']>;
  private readonly history: ThroughputHistory;
  private readonly resyncs: PageResyncs;
  private app: FastifyInstance | undefined;
  private address = '';

  constructor(o: DashboardOptions) {
    super();
    this.o = o;
    this.log = o.log.child({ part: 'dashboard' });
    if (!o.statusSource && !(o.kafka && o.decoder)) throw new Error('createDashboard needs a statusSource, or kafka and decoder');
    this.source = o.statusSource ?? new LiveStatus({ config: o.config, log: this.log, kafka: o.kafka!, decoder: o.decoder!, feeds: o.feeds });
    this.history = new ThroughputHistory({ log: this.log });
    this.resyncs = new PageResyncs({ config: o.config, log: this.log, feeds: () => (o.feeds?.length ? o.feeds : configuredFeeds(o.config)), run: o.resync });
  }

  url(): string {
    return this.address;
  }

  private build(): FastifyInstance {
    const { config } = this.o;
    const f = Fastify({ logger: false });
    f.addHook('onRequest', async (req, reply) => {
      if (req.url === '/healthz' || req.url.startsWith('/healthz?')) return;
      if (!tokenOk(req, config.dashboard.token)) {
        await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'a bearer token is required (dashboard.token)' });
      }
    });
    f.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(statusPage(config.prefix)));
    f.get('/api/status', async (_req, reply) => {
      try {
        return await this.source.current();
      } catch (e) {
        this.log.warn({ operation: 'status', err: e }, 'status unavailable');
        return reply.code(503).send({ error: String((e as Error).message ?? e) });
      }
    });
    this.history.routes(f);
    this.resyncs.routes(f);
    f.get('/metrics', async (_req, reply) => {
      reply.type(this.o.metrics.registry.contentType);
      return this.o.metrics.registry.metrics();
    });
    f.get('/healthz', async (_req, reply) => {
      const others = (this.o.parts?.() ?? []).filter((p) => p.name !== 'dashboard').map((p) => ({ name: p.name, state: p.state }));
      const parts = [{ name: 'dashboard', state: this.state }, ...others];
      const ok = parts.every((p) => p.state === 'running');
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unhealthy', parts });
    });
    return f;
  }

  protected async onStart(): Promise<void> {
    const { config } = this.o;
    statusGauges(this.o.metrics, () => (this.state === 'running' ? this.source.current().catch(() => undefined) : Promise.resolve(undefined)));
    await this.source.start?.();
    this.history.start(() => this.source.current());
    try {
      this.app = this.build();
      await this.app.listen({ host: config.dashboard.host, port: config.dashboard.port });
    } catch (e) {
      this.history.stop();
      await this.source.stop?.().catch(() => undefined);
      await this.app?.close().catch(() => undefined);
      throw e;
    }
    const a = this.app.server.address();
    const host = config.dashboard.host.includes(':') ? `[${config.dashboard.host}]` : config.dashboard.host;
    this.address = typeof a === 'object' && a ? `http://${host}:${a.port}` : `http://${host}:${config.dashboard.port}`;
    this.log.info({ operation: 'dashboard', status: 'listening', url: this.address }, `status page at ${this.address}/`);
  }

  protected async onStop(): Promise<void> {
    this.history.stop();
    await this.app?.close().catch((e: unknown) => this.log.warn({ err: e }, 'closing the dashboard'));
    await this.source.stop?.().catch((e: unknown) => this.log.warn({ err: e }, 'stopping the status source'));
    // a resync started from the page finishes with the parts still running, but does not hold up a stop for long
    await this.resyncs.stop(10_000);
  }
}
