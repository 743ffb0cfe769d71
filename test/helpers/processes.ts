// Child processes of the fault tests: a connector process must never end on its own.
import type { ChildProcess } from 'node:child_process';
import { allFeeds } from '../../src/feeds/index.js';
import { feedId } from '../../src/feeds/hash.js';

/**
 * Adds to `into` a line for the child if it exits other than by SIGKILL while `expected()` is
 * false, with its last output; `onExit` gets that line too (for a log file).
 */
export function recordSelfExit(p: ChildProcess, label: string, into: string[], expected: () => boolean, onExit?: (line: string) => void): void {
  let tail = '';
  p.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-1500);
  });
  p.once('exit', (code, signal) => {
    if (signal === 'SIGKILL' || expected()) return;
    const line = `${label} pid ${p.pid} exited by itself with code ${code} signal ${signal}`;
    onExit?.(line);
    into.push(`${line}; its last output:\n${tail}`);
  });
}

export interface FaultFigures {
  /** Committed changes (row changes, renames) the test made. */
  changes: number;
  /** Changes (or final versions) missing at the end. */
  lost: number;
  /** Changes seen twice (records, or item versions accepted again under another idempotency key: versionsUnderTwoKeys). */
  doubled: number;
  seconds: number;
}

/** The one line `make soak` (scripts/soak.sh) reads from every fault test: `FAULT-SUMMARY test=... changes=... lost=... doubled=... seconds=...`. */
export function faultSummary(test: string, f: FaultFigures): void {
  console.log(`FAULT-SUMMARY test=${test} changes=${f.changes} lost=${f.lost} doubled=${f.doubled} seconds=${f.seconds.toFixed(1)}`);
}

const feedsByRoute = new Map(allFeeds().map((f) => [f.route, f]));

/**
 * Item versions a receiver accepted again under another idempotency key with no other version of
 * their identity accepted in between: a resend the publisher did not make recognisable (the same
 * key) or should not have made. A version is the item less the fields its feed leaves out of the
 * hash (modifiedAt, updatedAt, ...), as `canonical` writes it; the identity is the route and the
 * feed's identity fields. An item that changed and came back to an earlier version (A, B, A) is
 * not a double, nor is a request sent again with its own key.
 */
export function versionsUnderTwoKeys(items: ReadonlyArray<{ route: string; idempotencyKey: string | undefined; item: Record<string, unknown> }>, canonical: (v: unknown) => string): string[] {
  const last = new Map<string, { version: string; key: string }>();
  const doubles: string[] = [];
  for (const r of items) {
    const feed = feedsByRoute.get(r.route);
    const identity = `${r.route} ${feed ? feedId(r.item, feed.identity) : canonical(r.item)}`;
    const version = canonical(feed ? Object.fromEntries(Object.entries(r.item).filter(([k]) => !feed.hashExclude.includes(k))) : r.item);
    const key = r.idempotencyKey ?? '';
    const prev = last.get(identity);
    if (prev && prev.version === version && prev.key !== key) doubles.push(`${identity}: ${version} under ${prev.key} and ${key}`);
    last.set(identity, { version, key });
  }
  return doubles;
}

/** kill -9 a child that still runs, and wait until it has exited. */
export async function killAndWait(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await exited;
}
