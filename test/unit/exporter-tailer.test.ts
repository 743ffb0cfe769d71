// StateTailer.caughtUp keeps the exporter's group session alive while a partition's
// state is read: restoring a large feed from the beginning can take longer than the
// session timeout, and without heartbeats the group would move the partition away
// in the middle of it. Only caughtUp's wait is exercised here (no topics are read).
import { describe, expect, it } from 'vitest';
import { StateTailer, type TailerOptions } from '../../src/exporter/tailer.js';

describe('StateTailer.caughtUp', () => {
  it('sends a heartbeat every second while it waits, and stops when aborted', async () => {
    const tailer = new StateTailer({ itemsTopic: 'x.items', statusTopic: 'x.status' } as TailerOptions);
    const beats: number[] = [];
    const ac = new AbortController();
    const started = Date.now();
    const heartbeat = async () => {
      beats.push(Date.now() - started);
      if (beats.length === 3) ac.abort(new Error('stopped'));
    };
    await expect(tailer.caughtUp(0, { items: 5, status: 5 }, ac.signal, heartbeat)).rejects.toThrow('stopped');
    expect(beats.length).toBe(3);
    // one a second: not on every 50 ms check, and not only at the end
    beats.forEach((t, i) => expect(t - (beats[i - 1] ?? 0)).toBeGreaterThanOrEqual(1000));
  });

  it('returns at once for a partition with nothing to read', async () => {
    const tailer = new StateTailer({ itemsTopic: 'x.items', statusTopic: 'x.status' } as TailerOptions);
    let beats = 0;
    await tailer.caughtUp(1, { items: 0, status: 0 }, undefined, async () => void beats++);
    expect(beats).toBe(0);
  });
});
