import type { Part, PartState } from '../lifecycle.js';

/** The lifecycle every long-running part shares: state, done, start/stop once, fail once. */
export abstract class BasePart implements Part {
  abstract readonly name: string;
  private current: PartState = 'stopped';
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private rejectDone!: (e: unknown) => void;
  private stopping: Promise<void> | undefined;

  constructor() {
    this.done = new Promise<void>((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
    // the supervisor observes done; an unobserved failure must not crash the process
    this.done.catch(() => undefined);
  }

  get state(): PartState {
    return this.current;
  }

  protected abstract onStart(): Promise<void>;
  protected abstract onStop(): Promise<void>;

  async start(): Promise<void> {
    this.current = 'starting';
    try {
      await this.onStart();
      this.current = 'running';
    } catch (e) {
      this.fail(e);
      throw e;
    }
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.current !== 'failed') this.current = 'stopping';
      try {
        await this.onStop();
      } finally {
        if (this.current !== 'failed') {
          this.current = 'stopped';
          this.resolveDone();
        }
      }
    })();
    return this.stopping;
  }

  /** Marks the part failed and stops it; done rejects with the error. */
  protected fail(e: unknown): void {
    if (this.current === 'failed' || this.current === 'stopped') return;
    this.current = 'failed';
    this.rejectDone(e);
    void this.stop().catch(() => undefined);
  }
}
