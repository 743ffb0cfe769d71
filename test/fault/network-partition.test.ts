// Network partitions, made for real: `commerce-cdc run` runs inside a network namespace
// joined to the host by a veth pair, the private stack listens on the host end, and a
// partition drops every packet of the broker's or the database's port inside the
// namespace (nftables: packets vanish, no RST, no ICMP), for longer than the consumer
// group session timeout and than the binlog connection's silence timeout. While a
// writer commits numbered renames, first the broker, then the database is cut off and
// reconnected. The connector process keeps running (it must not exit, nobody restarts
// it): after each partition heals, renames committed after the heal arrive downstream,
// and at the end every committed change is in the changes topic exactly once, the items
// topic equals a fresh assembly and downstream holds every final version.
import { describe, expect, it } from 'vitest';
import { createNetns } from '../helpers/netns.js';
import { pipelineFault } from '../helpers/pipelineFault.js';

const SESSION_MS = 10_000;
const BINLOG_TIMEOUT_MS = 6000;
/** Longer than the session timeout and the binlog timeout: the broker drops the group members, the reader must notice its binlog connection is dead. */
const CUT_MS = 25_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('network partitions between the connector and the broker, and the connector and the database', () => {
  const h = pipelineFault({ label: 'network-partition', websites: 30, sessionTimeoutMs: SESSION_MS, binlogTimeoutMs: BINLOG_TIMEOUT_MS, netns: () => createNetns('partition') });

  it(`cuts the broker, then the database, for ${CUT_MS / 1000} s each; the connector recovers without a restart: lost 0, doubled 0, items = fresh assembly`, async () => {
    const started = Date.now();
    await h.start();
    // idle first, three binlog timeouts long: the server's heartbeats keep a quiet binlog connection (nothing else writes to this MariaDB)
    await sleep(3 * BINLOG_TIMEOUT_MS);
    expect(h.logs(), 'an idle binlog connection was taken as lost: no heartbeats from the server').not.toMatch(/binlog connection silent/);
    h.mark(`idle ${(3 * BINLOG_TIMEOUT_MS) / 1000} s: the binlog connection kept`);
    h.startWriter();
    await sleep(4000);
    const recovery: string[] = [];
    const targets = [
      ['broker', Number(h.stack.brokers[0]!.split(':')[1])],
      ['database', h.stack.mysqlPort],
    ] as const;
    for (const [what, port] of targets) {
      h.net!.cut([port]);
      h.mark(`partition: ${what} port ${port} cut (${h.committed()} renames committed)`);
      await sleep(CUT_MS);
      expect(h.run!.exitCode, `the connector is still running after the ${what} partition`).toBeNull();
      h.net!.heal();
      const healedAt = Date.now();
      const committedAtHeal = h.committed();
      h.mark(`partition: ${what} healed (${committedAtHeal} renames committed)`);
      // recovered: a rename committed after the heal has gone all the way downstream
      while (h.newestDownstream() <= committedAtHeal) {
        if (Date.now() - healedAt > 180_000) throw new Error(`no rename committed after the ${what} partition healed arrived downstream in 180 s\n${h.logs().slice(-4000)}`);
        if (h.run!.exitCode !== null) throw new Error(`the connector exited after the ${what} partition\n${h.logs().slice(-4000)}`);
        await sleep(250);
      }
      recovery.push(`${what} ${((Date.now() - healedAt) / 1000).toFixed(1)} s`);
      h.mark(`partition: ${what} recovered ${((Date.now() - healedAt) / 1000).toFixed(1)} s after the heal`);
      await sleep(3000);
    }
    const changes = await h.stopWriter();
    console.log(`network-partition: recovered after heal: ${recovery.join(', ')}`);
    expect(changes).toBeGreaterThan(500);
    // the reader noticed the dead binlog connection by its silence (no RST ever came)
    expect(h.logs()).toMatch(/binlog connection silent for 6000 ms/);
    await h.check(started);
  });
});
