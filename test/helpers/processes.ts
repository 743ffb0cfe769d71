// Child processes of the fault tests: a connector process must never end on its own.
import type { ChildProcess } from 'node:child_process';

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
  /** Changes seen twice (records, or item versions accepted under two idempotency keys). */
  doubled: number;
  seconds: number;
}

/** The one line `make soak` (scripts/soak.sh) reads from every fault test: `FAULT-SUMMARY test=... changes=... lost=... doubled=... seconds=...`. */
export function faultSummary(test: string, f: FaultFigures): void {
  console.log(`FAULT-SUMMARY test=${test} changes=${f.changes} lost=${f.lost} doubled=${f.doubled} seconds=${f.seconds.toFixed(1)}`);
}

/** Item versions (the same item JSON) a receiver accepted under more than one idempotency key, with those keys. */
export function versionsUnderTwoKeys(items: ReadonlyArray<{ idempotencyKey: string | undefined; item: Record<string, unknown> }>, canonical: (v: unknown) => string): string[] {
  const keysOf = new Map<string, Set<string>>();
  for (const r of items) {
    const k = canonical(r.item);
    keysOf.set(k, (keysOf.get(k) ?? new Set()).add(r.idempotencyKey ?? ''));
  }
  return [...keysOf].filter(([, keys]) => keys.size > 1).map(([item, keys]) => `${item} under ${[...keys].join(', ')}`);
}

/** kill -9 a child that still runs, and wait until it has exited. */
export async function killAndWait(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await exited;
}
