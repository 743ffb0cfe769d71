// The Kafka broker killed with kill -9 (no clean shutdown: open transactions, unflushed
// segments, group sessions and producer states as they are) while `commerce-cdc run`
// streams a steady flow of committed renames: the reader and the exporter are inside
// Kafka transactions at every moment. The broker is started again each time; the
// connector process keeps running throughout (it must not exit), and at the end every
// committed change is in the changes topic exactly once, the items topic equals a fresh
// assembly and downstream holds every website's final version.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pipelineFault } from '../helpers/pipelineFault.js';

const KILLS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Kafka broker killed with kill -9 under load', () => {
  const h = pipelineFault({ label: 'broker-kill', websites: 30, sessionTimeoutMs: 10_000 });

  it(`kill -9 the broker ${KILLS} times mid-transaction; the running connector recovers: lost 0, doubled 0, items = fresh assembly`, async () => {
    const started = Date.now();
    await h.start();
    h.startWriter();
    for (let i = 1; i <= KILLS; i++) {
      await sleep(4000 + Math.random() * 3000);
      const pid = Number(readFileSync(join(h.stack.dir, 'kafka/kafka.pid'), 'utf8'));
      const before = h.committed();
      process.kill(pid, 'SIGKILL');
      for (let t = 0; t < 100; t++) {
        try {
          process.kill(pid, 0);
          await sleep(50);
        } catch {
          break;
        }
      }
      h.mark(`broker pid ${pid} killed with SIGKILL (kill ${i}; ${before} renames committed)`);
      // down for a while: the connector's requests fail and its sessions are cut
      await sleep(3000 + Math.random() * 3000);
      h.stack.run('start', 'kafka');
      h.mark(`broker started again (kill ${i})`);
    }
    await sleep(5000);
    const changes = await h.stopWriter();
    expect(changes).toBeGreaterThan(500);
    await h.check(started);
  });
});
