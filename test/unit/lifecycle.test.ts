// Supervisor: parts start in order and stop in reverse; a stop requested while
// the parts start (SIGTERM during start-up) keeps the rest from starting.
import { describe, expect, it } from 'vitest';
import { PartState, Supervisor, type Part } from '../../src/lifecycle.js';
import { createLogger } from '../../src/log.js';

const log = createLogger({ level: 'silent' });

/** A fake part: start() waits for `release` when gated; done resolves on stop(). */
class FakePart implements Part {
  state: PartState = PartState.stopped;
  readonly done: Promise<void>;
  private finish!: () => void;
  private gate: Promise<void> | undefined;
  release: () => void = () => undefined;

  readonly name: string;
  private readonly events: string[];

  constructor(name: string, events: string[], gated = false) {
    this.name = name;
    this.events = events;
    this.done = new Promise<void>((r) => (this.finish = r));
    if (gated) this.gate = new Promise<void>((r) => (this.release = r));
  }

  async start(): Promise<void> {
    this.events.push(`start ${this.name}`);
    this.state = PartState.starting;
    await this.gate;
    // a stop during start aborts it
    if ((this.state as PartState) === PartState.stopped) {
      this.events.push(`aborted ${this.name}`);
      return;
    }
    this.state = PartState.running;
    this.events.push(`started ${this.name}`);
  }

  stop(): Promise<void> {
    if (this.state !== PartState.stopped) this.events.push(`stop ${this.name}`);
    this.state = PartState.stopped;
    this.release();
    this.finish();
    return Promise.resolve();
  }
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('Supervisor', () => {
  it('starts in order and stops in reverse', async () => {
    const events: string[] = [];
    const parts = ['a', 'b', 'c'].map((n) => new FakePart(n, events));
    const sup = new Supervisor(parts, log);
    const running = sup.run([]);
    await tick();
    await sup.stop();
    await running;
    expect(events).toEqual(['start a', 'started a', 'start b', 'started b', 'start c', 'started c', 'stop c', 'stop b', 'stop a']);
  });

  it('a stop requested while a part starts: the rest never start, the started ones stop', async () => {
    const events: string[] = [];
    const a = new FakePart('a', events);
    const b = new FakePart('b', events, true);
    const c = new FakePart('c', events);
    const sup = new Supervisor([a, b, c], log);
    const running = sup.run([]);
    await tick();
    expect(events).toEqual(['start a', 'started a', 'start b']);
    const stopped = sup.stop();
    await stopped;
    await running;
    expect(events).not.toContain('start c');
    expect(events.filter((e) => e.startsWith('stop'))).toEqual(['stop b', 'stop a']);
    expect([a.state, b.state, c.state]).toEqual([PartState.stopped, PartState.stopped, PartState.stopped]);
  });

  it('SIGTERM during start-up: run resolves without starting the remaining parts', async () => {
    const events: string[] = [];
    const a = new FakePart('a', events, true);
    const b = new FakePart('b', events);
    const sup = new Supervisor([a, b], log);
    const running = sup.run(['SIGUSR2']);
    await tick();
    process.emit('SIGUSR2', 'SIGUSR2');
    await running;
    expect(events).toEqual(['start a', 'stop a', 'aborted a']);
    expect(process.listenerCount('SIGUSR2')).toBe(0);
  });

  it('a part that fails to start stops the started ones and rejects run', async () => {
    const events: string[] = [];
    const a = new FakePart('a', events);
    const bad: Part = {
      name: 'bad',
      state: PartState.failed,
      start: () => Promise.reject(new Error('boom')),
      stop: () => {
        events.push('stop bad');
        return Promise.resolve();
      },
      done: new Promise<void>(() => undefined),
    };
    const c = new FakePart('c', events);
    await expect(new Supervisor([a, bad, c], log).run([])).rejects.toThrow('boom');
    expect(events).toEqual(['start a', 'started a', 'stop bad', 'stop a']);
  });
});
