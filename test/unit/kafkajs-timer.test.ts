// kafkajs' throttle check with no throttle in place: a delay of at least 1 ms (kafkajs alone
// passes about -Date.now(), which Node.js 24 reports as a TimeoutNegativeWarning on stderr).
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../../src/kafka/kafkajs.js';

const require = createRequire(import.meta.url);

describe('kafkajs request queue timer', () => {
  afterEach(() => vi.restoreAllMocks());

  it('never schedules its throttle check with a negative delay', () => {
    const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: object };
    const delays: number[] = [];
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((_fn: () => void, ms: number) => {
      delays.push(ms);
      return 0 as unknown as NodeJS.Timeout;
    }) as typeof setTimeout);
    for (const [throttledUntil, pending] of [[-1, []], [-1, [{}]], [Date.now() + 5000, []]] as const) {
      const q = Object.assign(Object.create(RequestQueue.prototype) as { scheduleCheckPendingRequests(): void }, { throttledUntil, pending, throttleCheckTimeoutId: null, checkPendingRequests() {} });
      q.scheduleCheckPendingRequests();
    }
    expect(delays[0]).toBe(1);
    expect(delays[1]).toBe(10);
    expect(delays[2]).toBeGreaterThan(4000);
  });
});
