import { setTimeout as sleep } from 'node:timers/promises';
import { isRetriable } from './errors.js';

export interface RetryOptions {
  /** Attempts in all, including the first; Infinity retries until success or abort. */
  attempts?: number;
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Multiplies every delay: config `retryScale` (CDC_RETRY_SCALE), shortened under test. */
  scale?: number;
  signal?: AbortSignal;
  /** Decides from the error; defaults to its `retriable` flag and cause chain. */
  shouldRetry?: (e: unknown, attempt: number) => boolean;
  /** Runs before the wait (log, release what the next attempt acquires again). */
  onRetry?: (e: unknown, attempt: number, delayMs: number) => void | Promise<void>;
  /** An attempt that ran at least this long before failing starts the backoff again (a session that streamed for minutes). */
  resetAfterMs?: number;
}

export function backoffMs(attempt: number, o: Pick<RetryOptions, 'initialMs' | 'maxMs' | 'factor' | 'scale'> = {}): number {
  const base = (o.initialMs ?? 200) * Math.pow(o.factor ?? 2, Math.max(0, attempt - 1));
  const capped = Math.min(base, o.maxMs ?? 30_000);
  const jitter = 0.8 + Math.random() * 0.4;
  return Math.round(capped * jitter * (o.scale ?? 1));
}

/**
 * The one retry helper: runs fn until it succeeds, the error is not retriable, or attempts run out.
 * An abort during the wait rejects with the signal's reason.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions = {}): Promise<T> {
  const attempts = o.attempts ?? 5;
  const should = o.shouldRetry ?? ((e: unknown) => isRetriable(e));
  let backoffAttempt = 0;
  for (let attempt = 1; ; attempt++) {
    const began = Date.now();
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt >= attempts || !should(e, attempt) || o.signal?.aborted) throw e;
      if (o.resetAfterMs !== undefined && Date.now() - began >= o.resetAfterMs) backoffAttempt = 0;
      const delay = backoffMs(++backoffAttempt, o);
      await o.onRetry?.(e, attempt, delay);
      try {
        await sleep(delay, undefined, o.signal ? { signal: o.signal } : undefined);
      } catch (abort) {
        throw o.signal?.aborted ? (o.signal.reason as unknown) : abort;
      }
    }
  }
}
