import { isRetriable } from './errors.js';

export interface RetryOptions {
  /** Attempts in all, including the first; Infinity retries until success or abort. */
  attempts?: number;
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  signal?: AbortSignal;
  /** Decides from the error; defaults to its `retriable` flag and cause chain. */
  shouldRetry?: (e: unknown, attempt: number) => boolean;
  onRetry?: (e: unknown, attempt: number, delayMs: number) => void;
}

/** Backoff is shortened under test so fault tests stay fast. */
const SCALE = process.env.CDC_RETRY_SCALE ? Number(process.env.CDC_RETRY_SCALE) : 1;

export function backoffMs(attempt: number, o: Pick<RetryOptions, 'initialMs' | 'maxMs' | 'factor'> = {}): number {
  const base = (o.initialMs ?? 200) * Math.pow(o.factor ?? 2, Math.max(0, attempt - 1));
  const capped = Math.min(base, o.maxMs ?? 30_000);
  const jitter = 0.8 + Math.random() * 0.4;
  return Math.round(capped * jitter * SCALE);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The one retry helper: runs fn until it succeeds, the error is not retriable, or attempts run out. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions = {}): Promise<T> {
  const attempts = o.attempts ?? 5;
  const should = o.shouldRetry ?? ((e: unknown) => isRetriable(e));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt >= attempts || !should(e, attempt) || o.signal?.aborted) throw e;
      const delay = backoffMs(attempt, o);
      o.onRetry?.(e, attempt, delay);
      await sleep(delay, o.signal);
    }
  }
}
