import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import { isCdcError } from '../errors.js';
import type { Logger } from '../log.js';
import { acquireFeedLock, type FeedLock } from '../ops/resync/lock.js';

// The status page's per-feed Resync, as Adobe's Data Management dashboard has it:
// POST /api/resync {feed, mode} starts a full resync (every item assembled from the
// database again and sent) or a resend of the items topic without database reads
// (`resync --no-reindex`); GET /api/resync shows each feed's last one with its progress.
// One at a time per feed, with the CLI's lock: a second request gets 409 and the CLI's words.

export type ResyncMode = 'full' | 'no-reindex';
export const RESYNC_MODES: readonly ResyncMode[] = ['full', 'no-reindex'];

/** Runs one resync with the lock already held; the composition root passes src/ops/resync. */
export type RunResync = (o: { feed: string; mode: ResyncMode; lock: FeedLock; onProgress: (done: number, total: number) => void }) => Promise<{ count: number }>;

export interface ResyncJob {
  feed: string;
  mode: ResyncMode;
  state: 'running' | 'done' | 'failed';
  /** Ids assembled of the ids triggered (full); null while unknown (no-reindex until done). */
  done: number | null;
  total: number | null;
  percent: number;
  /** Ids triggered (full) or items re-written (no-reindex), once done. */
  count: number | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface PageResyncOptions {
  config: Config;
  log: Logger;
  /** The feeds the page shows. */
  feeds: () => string[];
  run?: RunResync | undefined;
  /** The lock; the CLI's by default. */
  acquire?: typeof acquireFeedLock;
}

export class PageResyncs {
  private readonly jobs = new Map<string, ResyncJob>();
  private readonly inFlight = new Set<Promise<void>>();

  private readonly o: PageResyncOptions;

  constructor(o: PageResyncOptions) {
    this.o = o;
  }

  list(): ResyncJob[] {
    return [...this.jobs.values()];
  }

  routes(f: FastifyInstance): void {
    f.get('/api/resync', async () => ({ available: Boolean(this.o.run), jobs: this.list() }));
    f.post('/api/resync', async (req, reply) => {
      const body = (req.body ?? {}) as { feed?: unknown; mode?: unknown };
      const feed = this.o.feeds().find((n) => n === body.feed);
      if (!feed) return reply.code(400).send({ error: `unknown feed ${JSON.stringify(body.feed)}: one of ${this.o.feeds().join(', ')}` });
      const mode = RESYNC_MODES.find((m) => m === body.mode);
      if (!mode) return reply.code(400).send({ error: `mode must be one of ${RESYNC_MODES.join(', ')}` });
      if (!this.o.run) return reply.code(501).send({ error: 'resync runs from the page of `commerce-cdc run`; use `commerce-cdc resync` here' });
      let lock: FeedLock | { heldBy: string };
      try {
        lock = await (this.o.acquire ?? acquireFeedLock)(this.o.config, feed);
      } catch (e) {
        return reply.code(503).send({ error: isCdcError(e) ? e.toLine() : String((e as Error).message ?? e) });
      }
      if ('heldBy' in lock) {
        this.o.log.warn({ feed, operation: 'resync', status: 'skipped', lockedBy: lock.heldBy }, `operation skipped - process locked by ${lock.heldBy}`);
        return reply.code(409).send({ error: `operation skipped - process locked by ${lock.heldBy}` });
      }
      const job: ResyncJob = { feed, mode, state: 'running', done: mode === 'full' ? 0 : null, total: null, percent: 0, count: null, error: null, startedAt: new Date().toISOString(), finishedAt: null };
      this.jobs.set(feed, job);
      this.o.log.info({ feed, operation: 'resync', status: 'Initialize', mode, from: 'status page' }, 'resync started from the status page');
      const p = this.o
        .run({
          feed,
          mode,
          lock,
          onProgress: (done, total) => {
            job.done = done;
            job.total = total;
            job.percent = total > 0 ? Math.min(99, Math.floor((done * 100) / total)) : 0;
          },
        })
        .then((r) => {
          Object.assign(job, { state: 'done', count: r.count, percent: 100, done: job.total ?? r.count, total: job.total ?? r.count });
        })
        .catch((e: unknown) => {
          Object.assign(job, { state: 'failed', error: isCdcError(e) ? e.toLine() : String((e as Error).message ?? e) });
          this.o.log.error({ feed, operation: 'resync', err: e }, 'resync from the status page failed');
        })
        .finally(() => {
          job.finishedAt = new Date().toISOString();
          this.inFlight.delete(p);
        });
      this.inFlight.add(p);
      return reply.code(202).send(job);
    });
  }

  /** Waits up to `maxMs` for the resyncs in flight (each releases its lock when it ends). */
  async stop(maxMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise<void>((r) => (timer = setTimeout(r, maxMs)))]);
    clearTimeout(timer);
  }
}

/** The page's side: a Resync button per feed row, a confirmation dialog, the progress of each feed's last resync. */
export const RESYNC_CSS = `
button.resync{font:inherit;font-size:12px;padding:2px 8px;cursor:pointer}
dialog{border:1px solid #ccc;border-radius:6px;padding:16px 20px;max-width:460px}dialog h3{margin:0 0 8px;font-size:15px}
dialog label{display:block;margin:6px 0}dialog menu{display:flex;gap:8px;justify-content:flex-end;padding:0;margin:12px 0 0}
#resync-jobs .job{display:grid;grid-template-columns:160px 1fr 260px;gap:12px;align-items:center;margin:4px 0}
#resync-jobs progress{width:100%;height:16px}#resync-jobs .failed{color:#b91c1c}#resync-msg{color:#b91c1c}
`;

export const RESYNC_HTML = `
<section id="resync-panel"><h2>Resync</h2><div id="resync-jobs"><p>No resync since the connector started. Use a feed's Resync button.</p></div><p id="resync-msg"></p></section>
<dialog id="resync-dialog"><form method="dialog">
<h3>Resync <span id="resync-feed"></span>?</h3>
<label><input type="radio" name="mode" value="full" checked> Full: assemble every item from the database again and send it</label>
<label><input type="radio" name="mode" value="no-reindex"> Resend without database reads: send what the feed table holds</label>
<menu><button value="cancel" id="resync-cancel">Cancel</button><button value="confirm" id="resync-confirm">Start resync</button></menu>
</form></dialog>
`;

export const RESYNC_SCRIPT = `
const auth = (path) => path + (token ? (path.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : '');
function resyncCell(tr, feed) {
  const td = tr.insertCell();
  const b = document.createElement('button');
  b.className = 'resync'; b.textContent = 'Resync'; b.dataset.feed = feed;
  b.onclick = () => { $('resync-feed').textContent = feed; $('resync-dialog').dataset.feed = feed; $('resync-dialog').showModal(); };
  td.append(b);
}
$('resync-dialog').querySelector('form').addEventListener('submit', async (e) => {
  // the dialog closes on either button; only Start resync starts one
  const d = $('resync-dialog');
  if (!e.submitter || e.submitter.id !== 'resync-confirm') return;
  const mode = d.querySelector('input[name=mode]:checked').value;
  const res = await fetch(auth('api/resync'), { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ feed: d.dataset.feed, mode }) });
  $('resync-msg').textContent = res.ok ? '' : (await res.json().catch(() => ({}))).error || 'HTTP ' + res.status;
  pollResync();
});
let resyncAsked = 0, resyncShown = 0;
async function pollResync() {
  const n = ++resyncAsked;
  try {
    const res = await fetch(auth('api/resync'), { headers });
    if (!res.ok) return;
    const { jobs } = await res.json();
    // polls overlap (every second, and right after a start): an older answer must not redraw a newer one
    if (n < resyncShown || !jobs.length) return;
    resyncShown = n;
    const box = $('resync-jobs');
    box.replaceChildren();
    for (const j of jobs) {
      const row = document.createElement('div');
      row.className = 'job ' + j.state; row.dataset.feed = j.feed; row.dataset.state = j.state;
      row.dataset.mode = j.mode; row.dataset.started = j.startedAt;
      const what = document.createElement('span');
      what.textContent = j.feed + ' - ' + (j.mode === 'full' ? 'full' : 'resend without database reads');
      const bar = document.createElement('progress');
      bar.max = 100; bar.value = j.percent;
      const text = document.createElement('span');
      text.className = 'percent';
      text.textContent = j.state === 'failed' ? 'failed: ' + j.error
        : j.percent + ' %' + (j.state === 'done' ? ' - done, ' + j.count + (j.mode === 'full' ? ' id(s) resynced' : ' item(s) resent')
        : j.total ? ' (' + j.done + ' of ' + j.total + ' ids)' : ' (running)');
      row.append(what, bar, text);
      box.append(row);
    }
  } catch (e) { /* the status poll reports errors */ }
}
pollResync();
setInterval(pollResync, 1000);
`;
