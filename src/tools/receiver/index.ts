// A sample downstream standing in for Commerce Services: accepts gzip (or plain)
// JSON arrays of feed items on any route, prints one line per item, appends
// `{route, idempotencyKey, item}` lines to a file and answers 200 `{}`.
// Faults for tests: RECEIVER_FAULTS (JSON array of rules) at start, or
// POST /_control/faults at run time; each rule answers the next `times` matching
// requests with its status, delay or invalidFeedItems.
import { appendFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { allFeeds } from '../../feeds/index.js';

export interface FaultRule {
  /** Route prefix the rule applies to (without leading slash); any route when absent. */
  route?: string;
  /** HTTP status to answer (500, 429, 400, ...); 200 with `invalid` for invalid items. */
  status?: number;
  /** Requests this rule answers; Infinity when absent. */
  times?: number;
  /** Answer after this delay (a timeout when longer than the publisher's). */
  delayMs?: number;
  /** For a 200: invalidFeedItems to return, by item index. */
  invalid?: Array<{ itemIndex: number; code?: string; message: string } | { field: string; message: string }>;
  /** Only requests holding an item whose JSON contains this text. */
  match?: string;
}

export interface ReceivedItem {
  route: string;
  idempotencyKey: string | undefined;
  item: Record<string, unknown>;
  /** When the request carrying it was accepted (ms since the epoch): latency tests measure from it. */
  receivedAt: number;
}

export interface ReceivedRequest {
  route: string;
  idempotencyKey: string | undefined;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  apiKey: string | undefined;
  items: number;
  status: number;
}

export interface ReceiverOptions {
  host?: string;
  port?: number;
  out?: string;
  faults?: FaultRule[];
  /** Print one line per item to stdout. */
  print?: boolean;
  /** Keep accepted items in `items` (default true; benchmarks only count them). */
  keepItems?: boolean;
  /** Called for every accepted item (benchmarks time arrivals with it). */
  onItem?: (route: string, item: Record<string, unknown>) => void;
  /** Called for every parsed request body as it came on the wire (benchmarks send the same bodies again). */
  onBody?: (route: string, body: Buffer, contentEncoding: string | undefined, items: number) => void;
}

export interface Receiver {
  url: string;
  port: number;
  /** Items accepted (200 and not listed as invalid), in arrival order. */
  items: ReceivedItem[];
  /** How many items were accepted, kept or not. */
  accepted(): number;
  requests: ReceivedRequest[];
  addFaults(rules: FaultRule[]): void;
  clearFaults(): void;
  close(): Promise<void>;
}

const identities = new Map(allFeeds().map((f) => [f.route, f.identity]));

function describeItem(route: string, item: Record<string, unknown>): string {
  const identity = identities.get(route) ?? Object.keys(item).slice(0, 2);
  const id = identity.map((k) => `${k}=${String(item[k])}`).join(' ');
  return `${route} ${id}${item.deleted === true ? ' deleted' : ''}`;
}

export async function startReceiver(o: ReceiverOptions = {}): Promise<Receiver> {
  const faults: Array<FaultRule & { left: number }> = [];
  const addFaults = (rules: FaultRule[]) => {
    for (const r of rules) faults.push({ ...r, left: r.times ?? Infinity });
  };
  addFaults(o.faults ?? []);
  const items: ReceivedItem[] = [];
  let accepted = 0;
  const requests: ReceivedRequest[] = [];
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 256 * 1024 * 1024, keepAliveTimeout: 30_000 });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    try {
      const encoding = req.headers['content-encoding'];
      const raw = encoding === 'gzip' ? gunzipSync(body as Buffer) : (body as Buffer);
      const parsed: unknown = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
      if (o.onBody && Array.isArray(parsed)) o.onBody(req.url.slice(1), body as Buffer, encoding, parsed.length);
      done(null, parsed);
    } catch (e) {
      (e as { statusCode?: number }).statusCode = 400;
      done(e as Error, undefined);
    }
  });
  app.post('/_control/faults', async (req) => {
    addFaults(((req.body as { rules?: FaultRule[] }) ?? {}).rules ?? []);
    return { faults: faults.length };
  });
  app.delete('/_control/faults', async () => {
    faults.length = 0;
    return {};
  });
  app.get('/_control/received', async () => ({ items: items.length, requests: requests.length }));
  app.post('/*', async (req, reply) => {
    const route = (req.params as { '*': string })['*'];
    const receivedAt = Date.now();
    const body = req.body;
    if (!Array.isArray(body)) return reply.code(400).send({ message: 'the body must be a JSON array of feed items' });
    const batch = body as Array<Record<string, unknown>>;
    const text = faults.some((f) => f.match) ? JSON.stringify(batch) : '';
    const rule = faults.find((f) => f.left > 0 && (!f.route || route.startsWith(f.route)) && (!f.match || text.includes(f.match)));
    if (rule) rule.left--;
    if (rule?.delayMs) await new Promise((r) => setTimeout(r, rule.delayMs));
    const status = rule?.status ?? 200;
    const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
    if (o.keepItems === false && requests.length > 10_000) requests.length = 0;
    requests.push({
      route,
      idempotencyKey,
      contentType: req.headers['content-type'],
      contentEncoding: req.headers['content-encoding'] as string | undefined,
      apiKey: req.headers['x-api-key'] as string | undefined,
      items: batch.length,
      status,
    });
    if (status !== 200) return reply.code(status).send({ message: `receiver fault: ${status}` });
    const invalid = new Set((rule?.invalid ?? []).map((i) => ('itemIndex' in i ? i.itemIndex : Number(i.field.split('/')[1]))));
    const lines: string[] = [];
    const printed: string[] = [];
    batch.forEach((item, i) => {
      if (invalid.has(i)) return;
      accepted++;
      o.onItem?.(route, item);
      if (o.keepItems !== false) items.push({ route, idempotencyKey, item, receivedAt });
      if (o.out) lines.push(JSON.stringify({ route, idempotencyKey, item }) + '\n');
      if (o.print) printed.push(describeItem(route, item) + '\n');
    });
    if (o.out && lines.length) appendFileSync(o.out, lines.join(''));
    if (printed.length) process.stdout.write(printed.join(''));
    return reply.code(200).send(rule?.invalid ? { invalidFeedItems: rule.invalid } : {});
  });
  const address = await app.listen({ host: o.host ?? '127.0.0.1', port: o.port ?? 0 });
  const port = Number(new URL(address).port);
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${port}`,
    port,
    items,
    accepted: () => accepted,
    requests,
    addFaults,
    clearFaults: () => {
      faults.length = 0;
    },
    close: () => app.close(),
  };
}
