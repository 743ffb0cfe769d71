// What `make bench-compare` measures of a process and of the broker, the same way for both tools:
// peak RSS and CPU seconds of one child process (sampled while it runs: /proc is gone once it
// exits), and the bytes a run wrote to the broker (the sizes of its topics' segment files under
// the broker's log dir: record batches as stored, headers and transaction markers included).
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { statCpuSeconds } from '../bench/lib-cpu.js';
import { peakRssMb } from '../bench/lib-resync.js';

export interface ProcessUse {
  rssMb: number;
  cpuSeconds: number;
}

const children = new Set<ChildProcess>();

/** Remembers a child process for killChildren (a failed run must not leave it running). */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** kill -9 of every tracked child still running. */
export function killChildren(): void {
  for (const c of children) c.kill('SIGKILL');
}

/** Samples a child's peak RSS (VmHWM) and CPU seconds (all threads) every 200 ms until `stop()`, which takes a last sample. */
export function sampleProcess(child: ChildProcess): { stop: () => ProcessUse } {
  const use: ProcessUse = { rssMb: 0, cpuSeconds: 0 };
  const sample = () => {
    use.rssMb = Math.max(use.rssMb, peakRssMb(child.pid!));
    try {
      use.cpuSeconds = statCpuSeconds(readFileSync(`/proc/${child.pid}/stat`, 'utf8'));
    } catch {
      // gone: the last sample stands
    }
  };
  sample();
  const timer = setInterval(sample, 200);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { ...use };
    },
  };
}

/** The broker's log dir: BENCH_KAFKA_LOG_DIR, else the local stack's (scripts/stack.sh: $CDC_STACK_DIR/kafka/data). */
export function brokerLogDir(): string {
  const dir = process.env.BENCH_KAFKA_LOG_DIR ?? (process.env.CDC_STACK_DIR ? join(process.env.CDC_STACK_DIR, 'kafka/data') : undefined);
  if (!dir) throw new Error('BENCH_COMPARE_NO_LOG_DIR: the broker log dir is unknown; set CDC_STACK_DIR (eval "$(scripts/stack.sh env)") or BENCH_KAFKA_LOG_DIR');
  return dir;
}

/** Bytes of the segment files (*.log) of every partition of `topics` under the broker's log dir. */
export function topicLogBytes(topics: string[]): number {
  const dir = brokerLogDir();
  let bytes = 0;
  for (const entry of readdirSync(dir)) {
    const dash = entry.lastIndexOf('-');
    if (dash < 0 || !topics.includes(entry.slice(0, dash)) || !/^\d+$/.test(entry.slice(dash + 1))) continue;
    for (const f of readdirSync(join(dir, entry))) if (f.endsWith('.log')) bytes += statSync(join(dir, entry, f)).size;
  }
  return bytes;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
