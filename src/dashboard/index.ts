import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.js';
import { createKafka } from '../kafka/client.js';
import type { Part, PartState } from '../lifecycle.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { createDecoder } from '../ops/decoder.js';
import { LiveStatus } from '../ops/liveStatus.js';
import { configuredFeeds, type StatusSource } from '../ops/status.js';
import { statusGauges } from './gauges.js';
import { ThroughputHistory } from './history.js';
import { PageResyncs, type RunResync } from './resync.js';
import { statusPage } from './page.js';

// The "Data Management dashboard": the status page, its JSON, Prometheus metrics
// and a health check, on dashboard.host:port. With dashboard.token set, all but
// /healthz need `Authorization: Bearer <token>` (or ?token= for a browser).

export interface DashboardOptions {
  config: Config;
  log: Logger;
  metrics: Metrics;
  /** Where the figures come from; by default a LiveStatus tailing the topics. */
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
  const { config, log } = o;
  const dlog = log.child({ part: 'dashboard' });
  let state: PartState = 'stopped';
  let app: FastifyInstance | undefined;
  let address = '';
  let resolveDone!: () => void;
  let rejectDone!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  done.catch(() => undefined);
  const source = o.statusSource ?? new LiveStatus({ config, log: dlog, kafka: createKafka(config, dlog), decoder: createDecoder(config), feeds: o.feeds });
  const history = new ThroughputHistory({ log: dlog });
  const resyncs = new PageResyncs({ config, log: dlog, feeds: () => (o.feeds?.length ? o.feeds : configuredFeeds(config)), run: o.resync });

  const build = (): FastifyInstance => {
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
        return await source.current();
      } catch (e) {
        dlog.warn({ operation: 'status', err: e }, 'status unavailable');
        return reply.code(503).send({ error: String((e as Error).message ?? e) });
      }
    });
    history.routes(f);
    resyncs.routes(f);
    f.get('/metrics', async (_req, reply) => {
      reply.type(o.metrics.registry.contentType);
      return o.metrics.registry.metrics();
    });
    f.get('/healthz', async (_req, reply) => {
      const others = (o.parts?.() ?? []).filter((p) => p.name !== 'dashboard').map((p) => ({ name: p.name, state: p.state }));
      const parts = [{ name: 'dashboard', state }, ...others];
      const ok = parts.every((p) => p.state === 'running');
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unhealthy', parts });
    });
    return f;
  };

  return {
    name: 'dashboard',
    get state() {
      return state;
    },
    done,
    url: () => address,
    async start() {
      state = 'starting';
      try {
        statusGauges(o.metrics, () => (state === 'running' ? source.current().catch(() => undefined) : Promise.resolve(undefined)));
        await source.start?.();
        history.start(() => source.current());
        app = build();
        await app.listen({ host: config.dashboard.host, port: config.dashboard.port });
        const a = app.server.address();
        const host = config.dashboard.host.includes(':') ? `[${config.dashboard.host}]` : config.dashboard.host;
        address = typeof a === 'object' && a ? `http://${host}:${a.port}` : `http://${host}:${config.dashboard.port}`;
        state = 'running';
        dlog.info({ operation: 'dashboard', status: 'listening', url: address }, `status page at ${address}/`);
      } catch (e) {
        state = 'failed';
        history.stop();
        await source.stop?.().catch(() => undefined);
        await app?.close().catch(() => undefined);
        rejectDone(e);
        throw e;
      }
    },
    async stop() {
      if (state === 'stopped' || state === 'stopping' || state === 'failed') return;
      state = 'stopping';
      history.stop();
      await app?.close().catch((e: unknown) => dlog.warn({ err: e }, 'closing the dashboard'));
      await source.stop?.().catch((e: unknown) => dlog.warn({ err: e }, 'stopping the status source'));
      // a resync started from the page finishes with the parts still running, but does not hold up a stop for long
      await resyncs.stop(10_000);
      state = 'stopped';
      resolveDone();
    },
  };
}
