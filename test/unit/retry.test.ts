import { describe, expect, it, vi } from 'vitest';
import { CdcError } from '../../src/errors.js';
import { backoffMs, retry } from '../../src/retry.js';

const fast = { initialMs: 1, maxMs: 2 };

describe('retry', () => {
  it('retries a retriable error until it succeeds', async () => {
    let n = 0;
    const result = await retry(async () => {
      if (++n < 3) throw new CdcError('KAFKA_UNREACHABLE', 'down');
      return 'ok';
    }, fast);
    expect(result).toBe('ok');
    expect(n).toBe(3);
  });

  it('gives up at once on a non-retriable error', async () => {
    const fn = vi.fn(async () => {
      throw new CdcError('MYSQL_AUTH_FAILED', 'denied');
    });
    await expect(retry(fn, fast)).rejects.toMatchObject({ code: 'MYSQL_AUTH_FAILED' });
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('stops after the given attempts and throws the last error', async () => {
    let n = 0;
    await expect(
      retry(async () => {
        n++;
        throw new CdcError('REGISTRY_UNREACHABLE', `attempt ${n}`);
      }, { ...fast, attempts: 4 }),
    ).rejects.toThrow('attempt 4');
    expect(n).toBe(4);
  });

  it('reports each retry with its delay', async () => {
    const seen: number[] = [];
    let n = 0;
    await retry(async () => {
      if (++n < 3) throw new CdcError('DOWNSTREAM_UNAVAILABLE', '503');
    }, { ...fast, onRetry: (_e, attempt) => void seen.push(attempt) });
    expect(seen).toEqual([1, 2]);
  });

  it('honours shouldRetry over the retriable flag', async () => {
    let n = 0;
    await expect(
      retry(async () => {
        n++;
        throw new Error('plain');
      }, { ...fast, attempts: 3, shouldRetry: () => true }),
    ).rejects.toThrow('plain');
    expect(n).toBe(3);
  });

  it('stops waiting when aborted', async () => {
    const ac = new AbortController();
    const p = retry(async () => {
      throw new CdcError('KAFKA_UNREACHABLE', 'down');
    }, { attempts: Infinity, initialMs: 60_000, signal: ac.signal });
    setTimeout(() => ac.abort(new Error('stopped')), 20);
    await expect(p).rejects.toThrow('stopped');
  });
});

describe('backoffMs', () => {
  it('grows by the factor and is capped, with ±20% jitter', () => {
    for (let i = 0; i < 20; i++) {
      const scale = 1;
      const third = backoffMs(3, { initialMs: 100, factor: 2, maxMs: 10_000 });
      expect(third).toBeGreaterThanOrEqual(Math.floor(320 * scale));
      expect(third).toBeLessThanOrEqual(Math.ceil(480 * scale));
      expect(backoffMs(30, { initialMs: 100, maxMs: 1000 })).toBeLessThanOrEqual(Math.ceil(1200 * scale));
    }
  });
});

describe('retry: scale and reset', () => {
  it('multiplies every delay by the scale (config retryScale)', async () => {
    const delays: number[] = [];
    let n = 0;
    await retry(async () => {
      if (++n < 3) throw new CdcError('DOWNSTREAM_UNAVAILABLE', '503');
    }, { initialMs: 1000, scale: 0.001, onRetry: (_e, _a, d) => void delays.push(d) });
    expect(delays.every((d) => d <= 3)).toBe(true);
  });

  it('starts the backoff again after an attempt that ran long (a session that streamed)', async () => {
    const delays: number[] = [];
    let n = 0;
    await retry(
      async () => {
        n++;
        if (n === 3) await new Promise((r) => setTimeout(r, 30));
        if (n < 4) throw new CdcError('KAFKA_UNREACHABLE', 'down');
      },
      { initialMs: 1, factor: 10, maxMs: 1000, resetAfterMs: 25, onRetry: (_e, _a, d) => void delays.push(d) },
    );
    // 1, 10, then 1 again (the third attempt ran 30 ms)
    expect(delays[1]!).toBeGreaterThan(delays[2]!);
  });
});
