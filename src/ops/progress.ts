import cliProgress from 'cli-progress';
import type { Logger } from '../log.js';

// Progress of a long operation: a bar with rate and ETA on a TTY, otherwise a log
// line every exporter.logProgressInterval seconds (default 30), like Adobe's
// "Progress i/n, processed X, synced Y".

export interface Progress {
  setTotal(total: number): void;
  update(done: number, extra?: Record<string, unknown>): void;
  stop(): void;
}

export function createProgress(o: { log: Logger; feed: string; operation: string; tty?: boolean; intervalS?: number | undefined }): Progress {
  const tty = o.tty ?? Boolean(process.stderr.isTTY);
  const started = Date.now();
  let total = 0;
  let done = 0;
  if (tty) {
    const bar = new cliProgress.SingleBar(
      { format: `${o.feed} ${o.operation} [{bar}] {percentage}% {value}/{total} ids | {speed} ids/s | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(0, 0, { speed: '0' });
    return {
      setTotal(t) {
        total = t;
        bar.setTotal(t);
      },
      update(d) {
        done = d;
        const s = (Date.now() - started) / 1000;
        bar.update(d, { speed: s > 0 ? (d / s).toFixed(0) : '0' });
      },
      stop() {
        bar.stop();
      },
    };
  }
  const everyMs = Math.max(1, o.intervalS ?? 30) * 1000;
  let lastLog = started;
  return {
    setTotal(t) {
      total = t;
    },
    update(d, extra = {}) {
      done = d;
      if (Date.now() - lastLog < everyMs) return;
      lastLog = Date.now();
      const elapsed = (Date.now() - started) / 1000;
      o.log.info({ feed: o.feed, operation: o.operation, status: `Progress ${done}/${total}`, elapsed: Math.round(elapsed * 1000), rate: Math.round(done / Math.max(elapsed, 0.001)), ...extra }, 'progress');
    },
    stop() {
      o.log.info({ feed: o.feed, operation: o.operation, status: `Progress ${done}/${total}`, elapsed: Date.now() - started }, 'progress');
    },
  };
}
