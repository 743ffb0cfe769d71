import { isCdcError } from '../errors.js';
import { BasePart } from '../lifecycle.js';
import { leaseInstance, ReaderLease } from './lease.js';
import { createReader, type Reader, type ReaderDeps } from './reader.js';

// The reader part with reader.ha: a Reader runs only while this process holds the
// lease (lease.ts). Losing it stops the Reader (its clean stop: the open Kafka
// transaction is committed when it holds only complete binlog transactions, else
// aborted; a commit after another reader took over is fenced by the broker). A
// Reader fenced by another one means that one holds the lease: this process gives
// its own claim up and stands by. Any other failure of the Reader fails the part,
// as without reader.ha; leaving the group on the way out hands the lease over at once.

const fenced = (e: unknown) => isCdcError(e) && e.code === 'KAFKA_FENCED';

export class LeasedReader extends BasePart {
  readonly name = 'reader';
  readonly instance: string;
  private readonly d: ReaderDeps;
  private readonly lease: ReaderLease;
  private reader: Reader | undefined;
  /** The running Reader's start: resolves once it streams. */
  private readerStarted: Promise<void> | undefined;
  /** The last change of streaming (start or stop of a Reader), one at a time. */
  private work: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(d: ReaderDeps) {
    super();
    this.d = d;
    const ha = d.config.reader.ha;
    this.instance = leaseInstance(ha.instance);
    this.lease = new ReaderLease({
      kafka: d.kafka,
      prefix: d.config.prefix,
      sessionTimeoutMs: ha.sessionTimeoutMs,
      instance: this.instance,
      log: d.log,
      onChange: () => this.reconcile(),
      onFail: (e) => this.fail(e),
    });
    d.metrics.readerActive.set({ instance: this.instance }, 0);
    // a Reader checks the mapping when it is made: its problems surface here, before any connection
    createReader(d);
  }

  /** Active or standing by once the group has given its first assignment; an active one's start waits for its Reader to stream. */
  protected async onStart(): Promise<void> {
    this.d.log.info({ instance: this.instance, group: this.lease.topic, sessionTimeoutMs: this.d.config.reader.ha.sessionTimeoutMs }, 'reader joining the lease group');
    await this.lease.start();
    this.reconcile();
    await this.work;
    await this.readerStarted?.catch((e: unknown) => {
      if (!fenced(e)) throw e;
    });
  }

  protected async onStop(): Promise<void> {
    this.stopping = true;
    await this.work.catch(() => undefined);
    // streaming ends before the lease is given back: the next holder starts after this one stopped
    await this.stopReader('stopping');
    await this.lease.stop();
  }

  private reconcile(): void {
    this.work = this.work.then(() => this.step()).catch((e: unknown) => this.fail(e));
  }

  private async step(): Promise<void> {
    if (this.stopping) return;
    const held = this.lease.held();
    if (held && !this.reader) {
      this.d.log.info({ instance: this.instance, heldSince: this.lease.since }, 'reader lease acquired: streaming starts');
      const r = createReader(this.d);
      this.reader = r;
      this.d.metrics.readerActive.set({ instance: this.instance }, 1);
      r.done.then(
        () => undefined,
        (e: unknown) => this.readerFailed(r, e),
      );
      // not awaited: a lost lease must be able to stop a Reader still snapshotting (its failure is seen through done)
      this.readerStarted = r.start();
      this.readerStarted.catch(() => undefined);
    } else if (!held && this.reader) {
      await this.stopReader('lease lost');
    }
  }

  private async stopReader(why: string): Promise<void> {
    const r = this.reader;
    if (!r) return;
    this.reader = undefined;
    this.d.log.warn({ instance: this.instance, why }, 'reader stream stopping');
    await r.stop().catch(() => undefined);
    this.d.metrics.readerActive.set({ instance: this.instance }, 0);
    this.d.log.info({ instance: this.instance, why }, 'reader stream stopped');
  }

  private readerFailed(r: Reader, e: unknown): void {
    if (this.reader !== r || this.stopping) return;
    if (fenced(e)) {
      this.reader = undefined;
      this.d.metrics.readerActive.set({ instance: this.instance }, 0);
      this.d.log.warn({ instance: this.instance, err: e }, 'reader fenced by another reader: giving the lease up and standing by');
      this.work = this.work.then(() => this.lease.rejoin()).catch((x: unknown) => this.fail(x));
      return;
    }
    this.fail(e);
  }
}

export function createLeasedReader(deps: ReaderDeps): LeasedReader {
  return new LeasedReader(deps);
}
