// An assembly worker thread (see assembler.ts): runs provider batches (SQL,
// item assembly, Avro normalisation, feed id and hash) with its own MySQL pool,
// and hands back each batch's items with all their Avro bytes in one
// transferred buffer.
import { parentPort, workerData } from 'node:worker_threads';
import avro from 'avsc';
import type { Config } from '../config/schema.js';
import { catalogModel, type Edition } from '../feeds/common/link.js';
import { resolveFeed } from '../feeds/index.js';
import { createLogger } from '../log.js';
import { createPool } from '../mysql/pool.js';
import { assembleChunk } from './assemble.js';
import { providerContext } from './context.js';
import { loadSchema } from '../avro/records.js';
import { Semaphore } from '../stream/semaphore.js';
import type { WarmRequest, WorkerReply, WorkerRequest } from './assembler.js';

const { config, edition } = workerData as { config: Config; edition: Edition };
const log = createLogger({ level: config.logLevel }).child({ part: 'assembly-worker' });
const pool = createPool(config.mysql);
const ctx = providerContext(pool, log, config.mysql.tablePrefix, catalogModel(edition), config.exporter.profiler);
const types = new Map<string, avro.Type>();
const port = parentPort!;

function itemType(schemaFile: string): avro.Type {
  let t = types.get(schemaFile);
  if (!t) types.set(schemaFile, (t = avro.Type.forSchema(loadSchema(schemaFile) as avro.Schema)));
  return t;
}

/** What survives the thread boundary of an error: enough to rebuild it with its code and retriability. */
function serialisable(e: unknown): WorkerReply['error'] {
  const x = e as { name?: string; message?: string; code?: unknown; errno?: unknown; fatal?: unknown; retriable?: unknown; fix?: unknown };
  return {
    name: String(x?.name ?? 'Error'),
    message: String(x?.message ?? e),
    code: typeof x?.code === 'string' ? x.code : undefined,
    errno: typeof x?.errno === 'number' ? x.errno : undefined,
    fatal: typeof x?.fatal === 'boolean' ? x.fatal : undefined,
    retriable: typeof x?.retriable === 'boolean' ? x.retriable : undefined,
    fix: typeof x?.fix === 'string' ? x.fix : undefined,
  };
}

// At most exporter.workerBatches batches at once: every batch in flight holds its SQL rows, and with
// a dozen of them (three partitions, each with a slice committing and one assembled ahead) the young
// generation's survivors, scavenge copying and old-space growth were what the worker spent most on.
const turns = new Semaphore(config.exporter.workerBatches);

port.on('message', (m: WorkerRequest | WarmRequest | 'close') => {
  if (m === 'close') {
    void pool.end().finally(() => port.close());
    return;
  }
  if ('warm' in m) {
    for (const name of m.warm) itemType(resolveFeed(name).schemaFile);
    // a connection failure here is reported by the first batch that needs one
    pool.query('SELECT 1').catch(() => undefined);
    return;
  }
  void (async () => {
    await turns.acquire();
    try {
      const feed = resolveFeed(m.feed);
      const r = await assembleChunk(feed, itemType(feed.schemaFile), m.ids, ctx);
      // one buffer of its own (not a slice of Node's pool) so that it can be transferred, not copied
      const total = r.items.reduce((n, b) => n + b.bytes.length, 0);
      const all = Buffer.allocUnsafeSlow(total);
      const lengths: number[] = [];
      let at = 0;
      for (const b of r.items) {
        b.bytes.copy(all, at);
        at += b.bytes.length;
        lengths.push(b.bytes.length);
      }
      const reply: WorkerReply = {
        id: m.id,
        items: r.items.map((b) => ({ feedId: b.feedId, sourceEntityId: b.sourceEntityId, hash: b.hash, minimal: b.minimal })),
        lengths,
        bytes: all.buffer as ArrayBuffer,
        failed: r.failed,
      };
      port.postMessage(reply, [reply.bytes!]);
    } catch (e) {
      port.postMessage({ id: m.id, error: serialisable(e) } satisfies WorkerReply);
    } finally {
      turns.release();
    }
  })();
});
