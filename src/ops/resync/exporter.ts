import type { Admin } from 'kafkajs';
import type { Config } from '../../config/schema.js';
import { createConnector, type Clients, type Connector } from '../../connector.js';
import type { FeedDefinition } from '../../feeds/types.js';
import type { Logger } from '../../log.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Progress } from '../progress.js';
import { exporterGroupId } from '../status/index.js';

// After the triggers are written, the feed's exporter group assembles them. When
// no exporter runs for the feed, the resync starts one in this process (with
// --batch-size/--thread-count applied) and stops it once the group's lag on the
// changes topic is zero.

export async function exporterRunning(admin: Admin, groupId: string): Promise<boolean> {
  const { groups } = await admin.describeGroups([groupId]);
  const g = groups[0];
  return Boolean(g && g.members.length > 0 && g.state !== 'Dead' && g.state !== 'Empty');
}

/** Messages of the changes topic up to `targets` (partition → end offset) the group has not committed. */
export async function groupLag(admin: Admin, groupId: string, topic: string, targets: Map<number, number>): Promise<number> {
  const [res] = await admin.fetchOffsets({ groupId, topics: [topic] });
  let lag = 0;
  for (const [p, end] of targets) {
    const c = Number(res?.partitions.find((x) => x.partition === p)?.offset ?? -1);
    lag += Math.max(0, end - Math.max(c, 0));
  }
  return lag;
}

export function withTuning(config: Config, feed: string, batchSize?: number, threads?: number): Config {
  if (batchSize === undefined && threads === undefined) return config;
  const t = config.exporter.tuning[feed] ?? {};
  return {
    ...config,
    exporter: { ...config.exporter, tuning: { ...config.exporter.tuning, [feed]: { ...t, ...(batchSize ? { batchSize } : {}), ...(threads ? { threads } : {}) } } },
  };
}

export async function assembleTriggers(o: {
  config: Config;
  log: Logger;
  /** The resync's clients; the in-process exporter uses them too. */
  clients: Clients;
  feed: FeedDefinition;
  changesTopic: string;
  batchSize?: number;
  threads?: number;
  progress: Progress;
  total: number;
  timeoutMs?: number;
}): Promise<{ inProcess: boolean }> {
  const admin = o.clients.kafka.admin();
  await admin.connect();
  const groupId = exporterGroupId(o.config.prefix, o.feed.name);
  let connector: Connector | undefined;
  try {
    const targets = new Map((await admin.fetchTopicOffsets(o.changesTopic)).map((p) => [p.partition, Number(p.high)]));
    const running = await exporterRunning(admin, groupId);
    if (running) {
      o.log.info({ feed: o.feed.name, operation: 'resync', status: 'exporter running elsewhere', groupId }, 'the running exporter group assembles the triggers');
    } else {
      connector = await createConnector(withTuning(o.config, o.feed.name, o.batchSize, o.threads), { parts: ['exporter'], feeds: [o.feed.name], log: o.log, clients: o.clients });
      for (const p of connector.parts) await p.start();
    }
    const deadline = Date.now() + (o.timeoutMs ?? 24 * 3600_000);
    for (;;) {
      const failed = connector?.parts.find((p) => p.state === 'failed');
      if (failed) await failed.done;
      const lag = await groupLag(admin, groupId, o.changesTopic, targets);
      o.progress.update(Math.max(0, o.total - lag), { lag });
      if (lag === 0) break;
      if (Date.now() > deadline) throw new Error(`resync of ${o.feed.name}: the exporter did not catch up in time (lag ${lag})`);
      await sleep(500);
    }
    return { inProcess: !running };
  } finally {
    await connector?.close().catch((e: unknown) => o.log.warn({ err: e }, 'stopping the in-process exporter'));
    await admin.disconnect().catch(() => undefined);
  }
}
