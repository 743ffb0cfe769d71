import type { Logger } from 'pino';

export const PartState = {
  starting: 'starting',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  failed: 'failed',
} as const;
export type PartState = (typeof PartState)[keyof typeof PartState];

/** Every long-running part (reader, exporter, publisher, dashboard) has this shape. */
export interface Part {
  readonly name: string;
  readonly state: PartState;
  start(): Promise<void>;
  /** Drains in-flight work, commits, and releases its clients. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the part stops by itself; rejects when it fails. */
  readonly done: Promise<void>;
}

/**
 * Starts parts in order, stops them in reverse, and stops them all when one fails.
 * `run()` resolves after a clean stop (SIGTERM/SIGINT) and rejects with the first failure.
 */
export class Supervisor {
  private readonly parts: Part[];
  private stopping: Promise<void> | undefined;
  private failure: unknown;
  /** Parts whose start() was called, in order. */
  private readonly started: Part[] = [];
  private running = false;

  private readonly log: Logger;

  constructor(parts: Part[], log: Logger) {
    this.parts = parts;
    this.log = log;
  }

  async run(signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): Promise<void> {
    const onSignal = (sig: NodeJS.Signals) => {
      this.log.info({ signal: sig }, 'stopping on signal');
      void this.stop();
    };
    for (const s of signals) process.once(s, onSignal);
    this.running = true;
    try {
      for (const p of this.parts) {
        // a stop requested while earlier parts started: the rest never start
        if (this.stopping) break;
        this.started.push(p);
        await p.start();
        p.done.then(
          () => {
            if (!this.stopping) void this.stop();
          },
          (e: unknown) => {
            this.failure ??= e;
            this.log.error({ part: p.name, err: e }, 'part failed; stopping all parts');
            void this.stop();
          },
        );
      }
      await Promise.allSettled(this.started.map((p) => p.done));
      await this.stopping;
    } catch (e) {
      // a start that fails because a stop was requested meanwhile is not a failure
      if (!this.stopping) this.failure ??= e;
      await this.stop();
    } finally {
      for (const s of signals) process.removeListener(s, onSignal);
    }
    if (this.failure) throw this.failure;
  }

  /** Stops the parts started so far (or starting), last first; the others never start. Before run(), stops every part. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const p of [...(this.running ? this.started : this.parts)].reverse()) {
        try {
          await p.stop();
        } catch (e) {
          this.log.error({ part: p.name, err: e }, 'error while stopping');
        }
      }
    })();
    return this.stopping;
  }
}
