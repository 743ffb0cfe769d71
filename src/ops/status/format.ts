import type { StatusReport } from './index.js';

// The human table of `commerce-cdc status`.

const n = (v: number | null | undefined) => (v === null || v === undefined ? '-' : String(v));

function bytes(v: number | null): string {
  if (v === null) return '-';
  if (v < 1024) return `${v} B`;
  if (v < 1024 ** 2) return `${(v / 1024).toFixed(1)} KiB`;
  if (v < 1024 ** 3) return `${(v / 1024 ** 2).toFixed(1)} MiB`;
  return `${(v / 1024 ** 3).toFixed(2)} GiB`;
}

export function duration(s: number | null): string {
  if (s === null) return '-';
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${(s / 3600).toFixed(1)}h`;
  return `${(s / 86400).toFixed(1)}d`;
}

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  return [line(head), line(w.map((x) => '-'.repeat(x))), ...rows.map(line)].join('\n');
}

export function formatStatus(r: StatusReport): string {
  const out: string[] = [];
  out.push(`prefix ${r.prefix}  at ${r.generatedAt}${r.complete ? '' : '  (topics not read to the end: figures may be behind)'}`, '');
  out.push(
    table(
      ['feed', 'items', 'deleted', 'sent', 'failed', 'pending', 'changes lag', 'last change'],
      r.feeds.map((f) => [f.feed, n(f.items), n(f.deleted), n(f.sent), n(f.failed), n(f.pending), n(f.changesLag), f.lastChangeAt ?? '-']),
    ),
  );
  const rd = r.reader;
  out.push('', 'reader');
  if (rd.edition) out.push(`  edition        ${rd.edition}`);
  if (rd.leaseState !== null) {
    const who = (m: NonNullable<typeof rd.active>) => `${m.instance}${m.host && !m.instance.includes(m.host) ? ` on ${m.host}` : ''}`;
    out.push(`  active         ${rd.active ? `${who(rd.active)}${rd.active.heldSince ? ` since ${new Date(rd.active.heldSince).toISOString()}` : ''}` : `none (lease group ${rd.leaseState})`}`);
    out.push(`  standbys       ${rd.standbys.length ? rd.standbys.map(who).join(', ') : 'none'}`);
  }
  const pos = rd.position ? `${rd.position.file}:${rd.position.pos}${rd.position.gtid ? ` (gtid ${rd.position.gtid})` : ''}` : 'none stored';
  out.push(`  position       ${pos}`);
  if (rd.position?.snapshot) out.push(`  snapshot       in progress${rd.position.snapshot.current ? ` (${rd.position.snapshot.current.feed} after id ${rd.position.snapshot.current.lastId})` : ''}`);
  out.push(`  server         ${rd.server ? `${rd.server.file}:${rd.server.pos}${rd.server.gtid ? ` (gtid ${rd.server.gtid})` : ''}` : '-'}`);
  out.push(`  behind         ${bytes(rd.bytesBehind)}, ${duration(rd.lagSeconds)}`);
  if (rd.positionFileListed === false) out.push(`  PURGED         the server no longer has ${rd.position?.file}: a new snapshot is needed`);
  out.push(`  binlog kept    ${bytes(rd.binlogBytesKept)} from the stored file on; expiry ${rd.expireSeconds ? duration(rd.expireSeconds) : 'never'}; purge possible in ${rd.purgeInSeconds === null ? '-' : duration(rd.purgeInSeconds)}`);
  if (rd.error) out.push(`  server error   ${rd.error}`);
  const failed = r.feeds.flatMap((f) => f.failedItems.map((i) => ({ feed: f.feed, ...i })));
  if (failed.length) {
    out.push('', 'failed items (first per feed)');
    for (const f of failed) out.push(`  ${f.feed} ${f.sourceEntityId} ${f.feedId.slice(0, 12)} status ${f.status}: ${f.error ?? ''}`);
  }
  return out.join('\n') + '\n';
}
