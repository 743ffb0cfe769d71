// Where a benchmark's CPU went: the seconds each process of the run used (from
// /proc/<pid>/stat, all threads) and what the whole machine was busy for (from
// /proc/stat), over one measured window. On a machine that runs MariaDB, Kafka and
// the registry next to the connector, throughput is bound by their sum: these
// lines say how much of each item's cost is the connector's own.
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const TICKS_PER_S = 100; // USER_HZ on Linux

/** utime + stime in seconds of a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat text. */
export function statCpuSeconds(stat: string): number {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_S;
}

/** CPU seconds of a process (user + system of every thread), undefined when it is gone. */
function processCpu(pid: number): number | undefined {
  try {
    return statCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Busy CPU seconds of the whole machine (every state but idle and iowait). */
function machineBusy(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f as [number, number, number, number, number, number, number, number];
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_S;
}

/** The local stack's processes (scripts/stack.sh pid files under CDC_STACK_DIR), those that run. */
export function stackPids(): Record<string, number> {
  const dir = process.env.CDC_STACK_DIR;
  const out: Record<string, number> = {};
  if (!dir) return out;
  for (const [name, file] of [['mariadb', 'mariadb/mariadbd.pid'], ['kafka', 'kafka/kafka.pid'], ['registry', 'registry/registry.pid']] as const) {
    try {
      const pid = Number(readFileSync(join(dir, file), 'utf8').trim());
      if (processCpu(pid) !== undefined) out[name] = pid;
    } catch {
      // not started by stack.sh (another broker or database): left out of the breakdown
    }
  }
  return out;
}

export interface CpuReport {
  /** CPU seconds per named process over the window, this process among them. */
  seconds: Record<string, number>;
  /** The machine's busy CPU seconds over the window, and what it had (wall × cores). */
  machineBusy: number;
  capacity: number;
}

/** Starts a window over the given processes and this one (named `self`); the returned function ends it. */
export function cpuWindow(pids: Record<string, number>, self = 'bench'): () => CpuReport {
  const start = new Map(Object.entries(pids).map(([name, pid]) => [name, processCpu(pid)]));
  const selfStart = process.cpuUsage();
  const busy = machineBusy();
  const wall = performance.now();
  return () => {
    const seconds: Record<string, number> = {};
    for (const [name, pid] of Object.entries(pids)) {
      const a = start.get(name);
      const b = processCpu(pid);
      if (a !== undefined && b !== undefined) seconds[name] = b - a;
    }
    const used = process.cpuUsage(selfStart);
    seconds[self] = (used.user + used.system) / 1e6;
    return { seconds, machineBusy: machineBusy() - busy, capacity: ((performance.now() - wall) / 1000) * cpus().length };
  };
}

/**
 * `BENCH <prefix>.cpu_ms_per_1k_items.<process>=` per process, `.other` for the rest of the machine
 * (kernel, other programs), and `<prefix>.machine_busy_pct=`; one readable line before them.
 */
export function printCpu(prefix: string, r: CpuReport, items: number): void {
  const per1k = (s: number) => Math.round((s * 1000 * 1000) / Math.max(items, 1));
  const named = Object.values(r.seconds).reduce((a, b) => a + b, 0);
  const rows = { ...r.seconds, other: Math.max(0, r.machineBusy - named) };
  console.log(
    `${prefix} CPU: ${Object.entries(rows).map(([k, s]) => `${k} ${s.toFixed(1)} s`).join(', ')}; machine busy ${r.machineBusy.toFixed(1)} of ${r.capacity.toFixed(1)} core-s`,
  );
  for (const [k, s] of Object.entries(rows)) console.log(`BENCH ${prefix}.cpu_ms_per_1k_items.${k}=${per1k(s)}`);
  console.log(`BENCH ${prefix}.machine_busy_pct=${Math.round((100 * r.machineBusy) / r.capacity)}`);
}
