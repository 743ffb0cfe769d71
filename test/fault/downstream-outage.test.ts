// The downstream answers 503 to every request for OUTAGE_MS (FAULT_OUTAGE_MS; `make
// soak` runs it at five minutes, the fault project at 45 s) while websites keep
// changing, then 200 again. Afterwards every item's latest status is 200 for its
// final version (commerce-cdc verify exits 0), the receiver holds every final
// version, and no item version was accepted under two idempotency keys.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminConnection, dropDatabase, ROOT, stackEnv, testConfig, uniqueName } from '../helpers/stack.js';
import { canonical } from '../helpers/e2e.js';
import { faultSummary, versionsUnderTwoKeys } from '../helpers/processes.js';
import { resolveFeed } from '../../src/feeds/index.js';
import { topicNames } from '../../src/kafka/topics.js';
import { createExporter } from '../../src/exporter/index.js';
import { createPublisher } from '../../src/publisher/index.js';
import { startReceiver, type Receiver } from '../../src/tools/receiver/index.js';
import type { StatusRecord } from '../../src/avro/records.js';
import type { Part } from '../../src/lifecycle.js';
import { createFeedTopics, deps, produceChanges, readTopic, scopesDatabase, sql, waitForGroup, type Deps } from '../integration/exporter-helpers.js';

const feed = resolveFeed('scopesWebsite');
const WEBSITES = 30;
const OUTAGE_MS = Number(process.env.FAULT_OUTAGE_MS ?? 45_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('downstream unavailable (503), then back', () => {
  let database: string;
  let d: Deps;
  let receiver: Receiver;
  let configFile: string;
  const parts: Part[] = [];

  beforeAll(async () => {
    database = await scopesDatabase('outage', WEBSITES);
    receiver = await startReceiver();
    const config = testConfig(database, uniqueName('outage'), {
      kafka: { brokers: stackEnv.brokers, partitions: 3, sessionTimeoutMs: 10_000 },
      publisher: { baseUrl: receiver.url, batchSize: 10, concurrency: 2, timeoutMs: 2000, retryInitialMs: 200, retryMaxMs: 5000 },
      dashboard: { enabled: false },
    });
    d = deps(config);
    configFile = join(mkdtempSync(join(tmpdir(), 'cdc-outage-')), 'config.json');
    writeFileSync(configFile, JSON.stringify(config));
    await createFeedTopics(d, [feed.name]);
    parts.push(createExporter({ ...d, feed }), createPublisher({ ...d, feed }));
    for (const p of parts) await p.start();
  });
  afterAll(async () => {
    for (const p of parts.reverse()) await p.stop().catch(() => undefined);
    await receiver?.close().catch(() => undefined);
    await d?.db.end();
    if (database) await dropDatabase(database);
  });

  it(`every item ends at status 200 after ${OUTAGE_MS / 1000} s of 503s, no version accepted under two idempotency keys`, async () => {
    const started = Date.now();
    const ids = Array.from({ length: WEBSITES }, (_, i) => String(i + 1));
    receiver.addFaults([{ status: 503 }]);
    await produceChanges(d, feed.name, ids.map((id) => ({ trigger: id })));
    // renames through the outage: versions pile up behind the blocked requests
    let version = 0;
    const outageEnds = Date.now() + OUTAGE_MS;
    while (Date.now() < outageEnds) {
      version++;
      const changed = [...new Set(Array.from({ length: 3 }, () => ids[Math.floor(Math.random() * ids.length)]!))];
      for (const id of changed) await sql(database, `UPDATE store_website SET code = ? WHERE website_id = ?`, [`web${id}-v${version}`, Number(id)]);
      await produceChanges(d, feed.name, changed.map((id) => ({ trigger: id })));
      await sleep(Math.max(200, OUTAGE_MS / 100));
    }
    const refused = receiver.requests.filter((r) => r.status === 503);
    expect(receiver.items, 'nothing accepted during the outage').toEqual([]);
    receiver.clearFaults();

    const t = topicNames(d.config.prefix);
    await waitForGroup(d, `${d.config.prefix}.exporter.${feed.name}`, t.changes(feed.name), 120_000);
    await waitForGroup(d, `${d.config.prefix}.publisher.${feed.name}`, t.items(feed.name), 120_000);
    expect(parts.map((p) => p.state)).toEqual(['running', 'running']);

    // the publisher kept asking through the whole outage and said so in the status topic (2 = retrying)
    expect(refused.length).toBeGreaterThan(5);
    const statuses = await readTopic<StatusRecord>(d, t.status(feed.name));
    expect(statuses.some((s) => s.value.status === 2)).toBe(true);

    // every item version accepted downstream under one idempotency key only
    const doubled = versionsUnderTwoKeys(receiver.items, canonical);
    // the final version of every website downstream
    const final = new Map<string, Record<string, unknown>>();
    for (const r of receiver.items) final.set(String(r.item.websiteId), r.item);
    const c = await adminConnection(database);
    const [rows] = (await c.query('SELECT website_id AS id, code FROM store_website WHERE website_id > 0').finally(() => c.end())) as unknown as [Array<{ id: number; code: string }>];
    const lost = rows.filter((r) => final.get(String(r.id))?.websiteCode !== r.code).map((r) => r.id);
    const verify = await promisify(execFile)(process.execPath, [`${ROOT}dist/cli/index.js`, '-c', configFile, 'verify', '--feed', feed.name], { cwd: ROOT }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    faultSummary('downstream-outage', { changes: version, lost: lost.length, doubled: doubled.length, seconds: (Date.now() - started) / 1000 });
    expect(doubled).toEqual([]);
    expect(lost, 'websites whose final version did not arrive').toEqual([]);
    // statuses 200 for every final version and the items equal a fresh assembly
    expect(verify.stdout, `verify: ${verify.stderr}`).toContain(`${feed.name}: ${WEBSITES} source id(s), ${WEBSITES} item(s) assembled, ${WEBSITES} in the items topic: equal`);
  });
});
