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
 * The lifecycle every long-running part (reader, exporter, publisher, dashboard) shares: one initial
 * state (stopped), start/stop once, fail once, and `done` that resolves on a clean stop and rejects
 * with the failure. A part implements onStart/onStop only.
 */
export abstract class BasePart implements Part {
  abstract readonly name: string;
  #state: PartState = PartState.stopped;
  readonly done: Promise<void>;
  #resolveDone!: () => void;
  #rejectDone!: (e: unknown) => void;
  #stopping: Promise<void> | undefined;

  constructor() {
    this.done = new Promise<void>((res, rej) => {
      this.#resolveDone = res;
      this.#rejectDone = rej;
    });
    // the supervisor observes done; an unobserved failure must not crash the process
    this.done.catch(() => undefined);
  }

  get state(): PartState {
    return this.#state;
  }

  protected abstract onStart(): Promise<void>;
  protected abstract onStop(): Promise<void>;

  async start(): Promise<void> {
    this.#state = 'starting';
    try {
      await this.onStart();
      // a stop requested while starting wins
      if (this.#state === 'starting') this.#state = 'running';
    } catch (e) {
      this.fail(e);
      throw e;
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      if (this.#state !== 'failed') this.#state = 'stopping';
      try {
        await this.onStop();
      } finally {
        if (this.#state !== 'failed') {
          this.#state = 'stopped';
          this.#resolveDone();
        }
      }
    })();
    return this.#stopping;
  }

  /** Marks the part failed and stops it; done rejects with the error. */
  protected fail(e: unknown): void {
    if (this.#state === 'failed' || this.#state === 'stopped') return;
    this.#state = 'failed';
    this.#rejectDone(e);
    void this.stop().catch(() => undefined);
  }
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
