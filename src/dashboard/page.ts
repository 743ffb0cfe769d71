// The status page: one self-contained HTML document (no external assets, so it
// works on an air-gapped host). Its script fetches /api/status every 2 s and
// draws the throughput chart as inline SVG from the last hour's history (history.ts);
// each feed row has a Resync action (resync.ts).

import { HISTORY_SCRIPT } from './history.js';
import { RESYNC_CSS, RESYNC_HTML, RESYNC_SCRIPT } from './resync.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d232a;background:#f5f6f8}
header{background:#1d232a;color:#fff;padding:12px 20px;display:flex;gap:16px;align-items:baseline}
header h1{font-size:18px;margin:0}header span{opacity:.75}
main{padding:16px 20px;display:grid;gap:16px;max-width:1200px}
section{background:#fff;border-radius:6px;padding:12px 16px;box-shadow:0 1px 2px #0002}
h2{font-size:15px;margin:0 0 8px}
table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #e5e7eb;text-align:right}
th:first-child,td:first-child{text-align:left}th{font-weight:600;color:#555}
td.failed.nz{color:#b91c1c;font-weight:600}td.pending.nz{color:#b45309}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}dt{color:#555}dd{margin:0;font-family:ui-monospace,monospace}
.warn{color:#b91c1c;font-weight:600}#error{color:#b91c1c}
ul{margin:0;padding-left:18px}li code{font-size:12px}
svg text{font-size:11px;fill:#555}
`;

const SCRIPT = `
const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.search).get('token');
const headers = token ? { authorization: 'Bearer ' + token } : {};
const fmtBytes = (v) => v == null ? '-' : v < 1024 ? v + ' B' : v < 1048576 ? (v / 1024).toFixed(1) + ' KiB' : (v / 1048576).toFixed(1) + ' MiB';
const fmtS = (s) => s == null ? '-' : s < 120 ? s + 's' : s < 7200 ? Math.round(s / 60) + 'm' : s < 172800 ? (s / 3600).toFixed(1) + 'h' : (s / 86400).toFixed(1) + 'd';
const cell = (tr, cls, v) => { const td = tr.insertCell(); td.className = cls + (typeof v === 'number' && v > 0 ? ' nz' : ''); td.dataset.field = cls; td.textContent = v == null ? '-' : String(v); };

function render(r) {
  $('generated').textContent = 'updated ' + new Date(r.generatedAt).toLocaleTimeString() + (r.complete ? '' : ' (catching up)');
  const body = $('feeds').tBodies[0];
  body.replaceChildren();
  for (const f of r.feeds) {
    const tr = body.insertRow();
    tr.dataset.feed = f.feed;
    cell(tr, 'feed', f.feed);
    for (const k of ['items', 'deleted', 'sent', 'failed', 'pending', 'changesLag']) cell(tr, k, f[k]);
    cell(tr, 'lastChangeAt', f.lastChangeAt ? new Date(f.lastChangeAt).toLocaleString() : '-');
    resyncCell(tr, f.feed);
  }
  const rd = r.reader, p = rd.position;
  $('r-position').textContent = p ? p.file + ':' + p.pos + (p.gtid ? ' (gtid ' + p.gtid + ')' : '') + (p.snapshot ? ' - snapshot in progress' : '') : 'none stored';
  $('r-server').textContent = rd.server ? rd.server.file + ':' + rd.server.pos : '-';
  $('r-behind').textContent = fmtBytes(rd.bytesBehind) + ', ' + fmtS(rd.lagSeconds);
  $('r-edition').textContent = rd.edition || '-';
  const who = (m) => m.instance + (m.host && !m.instance.includes(m.host) ? ' on ' + m.host : '');
  $('r-active').textContent = rd.leaseState == null ? 'one reader (reader.ha off)' : rd.active ? who(rd.active) : 'none (lease group ' + rd.leaseState + ')';
  $('r-standbys').textContent = rd.leaseState == null ? '-' : rd.standbys.length ? rd.standbys.map(who).join(', ') : 'none';
  $('r-kept').textContent = fmtBytes(rd.binlogBytesKept) + '; expiry ' + (rd.expireSeconds ? fmtS(rd.expireSeconds) : 'never') + '; purge possible in ' + fmtS(rd.purgeInSeconds);
  $('r-warn').textContent = rd.positionFileListed === false ? 'the server no longer has ' + p.file + ': a new snapshot is needed' : (rd.error || '');
  const list = $('failed');
  list.replaceChildren();
  for (const f of r.feeds) for (const i of f.failedItems) {
    const li = document.createElement('li');
    li.dataset.feed = f.feed;
    li.textContent = f.feed + ' ' + i.sourceEntityId + ' (status ' + i.status + ', ' + i.attempts + ' attempt(s)): ' + (i.error || '');
    list.append(li);
  }
  if (!list.children.length) list.innerHTML = '<li>none</li>';
  chart(withHistory(r.history || []));
}

function chart(h) {
  const svg = $('chart'), W = 760, H = 180, L = 48, B = 20;
  const pts = [];
  for (let i = 1; i < h.length; i++) {
    const dt = (h[i].t - h[i - 1].t) / 1000 || 1;
    pts.push({ t: h[i].t, sent: Math.max(0, (h[i].sent - h[i - 1].sent) / dt), items: Math.max(0, (h[i].items - h[i - 1].items) / dt) });
  }
  const max = Math.max(1, ...pts.map((p) => Math.max(p.sent, p.items)));
  const t0 = pts.length ? pts[0].t : 0, t1 = pts.length ? pts[pts.length - 1].t : 1;
  const x = (t) => L + ((t - t0) / Math.max(1, t1 - t0)) * (W - L - 8);
  const y = (v) => H - B - (v / max) * (H - B - 10);
  const line = (k, color) => pts.length ? '<polyline fill="none" stroke-width="2" stroke="' + color + '" points="' + pts.map((p) => x(p.t).toFixed(1) + ',' + y(p[k]).toFixed(1)).join(' ') + '"/>' : '';
  svg.innerHTML = '<line x1="' + L + '" y1="' + (H - B) + '" x2="' + W + '" y2="' + (H - B) + '" stroke="#ccc"/>' +
    '<text x="4" y="14">' + max.toFixed(max < 10 ? 1 : 0) + '/s</text><text x="4" y="' + (H - B) + '">0</text>' +
    '<text x="' + L + '" y="' + (H - 4) + '">' + (pts.length ? new Date(t0).toLocaleTimeString() : 'collecting samples...') + '</text>' +
    (pts.length ? '<text x="' + (W - 70) + '" y="' + (H - 4) + '">' + new Date(t1).toLocaleTimeString() + '</text>' : '') +
    line('items', '#2563eb') + line('sent', '#16a34a') +
    '<text x="' + (W - 200) + '" y="14" style="fill:#2563eb">items written/s</text><text x="' + (W - 90) + '" y="14" style="fill:#16a34a">sent/s</text>';
}

async function tick() {
  try {
    const res = await fetch('api/status' + (token ? '?token=' + encodeURIComponent(token) : ''), { headers });
    if (!res.ok) throw new Error('HTTP ' + res.status + ' ' + (await res.text()));
    render(await res.json());
    $('error').textContent = '';
  } catch (e) {
    $('error').textContent = 'cannot load the status: ' + e.message;
  }
}
`;

export function statusPage(prefix: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>commerce-cdc - ${esc(prefix)}</title><style>${CSS}${RESYNC_CSS}</style></head>
<body>
<header><h1>commerce-cdc</h1><span>prefix <b id="prefix">${esc(prefix)}</b></span><span id="generated">loading...</span><span id="error"></span></header>
<main>
<section><h2>Feeds</h2>
<table id="feeds"><thead><tr><th>feed</th><th>items</th><th>deleted</th><th>sent</th><th>failed</th><th>pending</th><th>changes lag</th><th>last change</th><th></th></tr></thead><tbody></tbody></table>
</section>${RESYNC_HTML}
<section><h2>Throughput, last hour</h2><svg id="chart" viewBox="0 0 760 180" width="100%" height="180" role="img" aria-label="items written and sent per second"></svg></section>
<section><h2>Reader</h2><dl>
<dt>edition</dt><dd id="r-edition">-</dd><dt>active</dt><dd id="r-active">-</dd><dt>standbys</dt><dd id="r-standbys">-</dd><dt>position</dt><dd id="r-position">-</dd><dt>server</dt><dd id="r-server">-</dd>
<dt>behind</dt><dd id="r-behind">-</dd><dt>binlog kept</dt><dd id="r-kept">-</dd></dl>
<p class="warn" id="r-warn"></p></section>
<section><h2>Failed items</h2><ul id="failed"><li>none</li></ul></section>
</main>
<script>${SCRIPT}${HISTORY_SCRIPT}${RESYNC_SCRIPT}
void loadHistory().then(tick);
setInterval(tick, 2000);
</script>
</body></html>`;
}
