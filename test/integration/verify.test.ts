// `commerce-cdc verify` (dist/, so `npm run build` first) against a feed the
// exporter and publisher have synced: equal, exit 0; then, with the connector
// stopped, an items-topic record edited by hand and database changes (a rename,
// a removed and an added website): each identity named with its field, exit 1.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, ROOT, testConfig, uniqueName } from '../helpers/stack.js';
import { resolveFeed } from '../../src/feeds/index.js';
import { topicNames } from '../../src/kafka/topics.js';
import { createExporter } from '../../src/exporter/index.js';
import { createPublisher } from '../../src/publisher/index.js';
import { startReceiver, type Receiver } from '../../src/tools/receiver/index.js';
import { envelopeRecord, itemEnvelopeSchema, registerCodec, type ItemEnvelope } from '../../src/avro/records.js';
import type { Part } from '../../src/lifecycle.js';
import { createFeedTopics, deps, produceChanges, readTopic, scopesDatabase, sql, waitForGroup, type Deps } from './exporter-helpers.js';

const feed = resolveFeed('scopesWebsite');
const run = promisify(execFile);

describe('commerce-cdc verify', () => {
  let database: string;
  let d: Deps;
  let receiver: Receiver;
  let configFile: string;
  let dir: string;
  const parts: Part[] = [];
  const ids = ['1', '2', '3', '4', '5', '6'];

  const verify = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
    try {
      const r = await run(process.execPath, [`${ROOT}dist/cli/index.js`, '-c', configFile, 'verify', '--feed', feed.name, ...args], { cwd: ROOT });
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, out: x.stdout, err: x.stderr };
    }
  };

  beforeAll(async () => {
    database = await scopesDatabase('verify', ids.length);
    receiver = await startReceiver();
    const config = testConfig(database, uniqueName('verify'), { publisher: { baseUrl: receiver.url, batchSize: 4 }, dashboard: { enabled: false } });
    d = deps(config);
    dir = mkdtempSync(join(tmpdir(), 'cdc-verify-'));
    configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(config));
    await createFeedTopics(d, [feed.name]);
    parts.push(createExporter({ ...d, feed }), createPublisher({ ...d, feed }));
    for (const p of parts) await p.start();
    await produceChanges(d, feed.name, ids.map((id) => ({ trigger: id })));
    const t = topicNames(config.prefix);
    await waitForGroup(d, `${config.prefix}.exporter.${feed.name}`, t.changes(feed.name));
    await waitForGroup(d, `${config.prefix}.publisher.${feed.name}`, t.items(feed.name));
  });
  afterAll(async () => {
    for (const p of parts.reverse()) await p.stop().catch(() => undefined);
    await receiver?.close().catch(() => undefined);
    await d?.db.end();
    if (database) await dropDatabase(database);
  });

  it('a synced feed verifies equal: exit 0, the gauge 0 in the metrics file', async () => {
    const metricsFile = join(dir, 'verify.prom');
    const r = await verify('--metrics-file', metricsFile);
    expect(r.out).toContain(`${feed.name}: 6 source id(s), 6 item(s) assembled, 6 in the items topic: equal`);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(metricsFile, 'utf8')).toMatch(/cdc_verify_differences\{feed="scopesWebsite"\} 0/);
  });

  it('with the connector stopped: an edited items record, a renamed, a removed and an added website are each named; exit 1', async () => {
    for (const p of parts) await p.stop();
    // an items record rewritten by hand: website 2's code changed, its hash kept
    const t = topicNames(d.config.prefix);
    const records = await readTopic<ItemEnvelope>(d, t.items(feed.name));
    const two = records.filter((r) => r.value.sourceEntityId === '2').at(-1)!;
    const codec = await registerCodec<ItemEnvelope>(d.registry, `${t.items(feed.name)}-${envelopeRecord(feed.name)}`, itemEnvelopeSchema(feed));
    const producer = d.kafka.producer();
    await producer.connect();
    await producer.send({ topic: t.items(feed.name), messages: [{ key: two.key, partition: two.partition, value: codec.encode({ ...two.value, item: { ...two.value.item, websiteCode: 'edited-by-hand' } }) }] });
    await producer.disconnect();
    // database changes the connector does not see
    await sql(database, `UPDATE store_website SET code = 'renamed3' WHERE website_id = 3`);
    await sql(database, `DELETE FROM store WHERE website_id = 4; DELETE FROM store_group WHERE website_id = 4; DELETE FROM store_website WHERE website_id = 4`);
    await sql(database, `INSERT INTO store_website (website_id, code, name, default_group_id) VALUES (7, 'web7', 'Web 7', 0)`);

    const metricsFile = join(dir, 'verify2.prom');
    const r = await verify('--metrics-file', metricsFile);
    expect(r.code, r.err).toBe(1);
    const line = (id: string) => r.out.split('\n').find((l) => l.includes(`[websiteId=${id}]`)) ?? `(no line for website ${id} in:\n${r.out})`;
    expect(line('2')).toMatch(/^\s*differs .*websiteCode: expected "web2" got "edited-by-hand"/);
    expect(line('3')).toMatch(/^\s*differs .*websiteCode: expected "renamed3" got "web3"/);
    expect(line('4')).toMatch(/^\s*delete /);
    expect(line('7')).toMatch(/^\s*missing /);
    expect(r.out).not.toMatch(/\[websiteId=[156]\]/);
    expect(r.out).toContain('2 differs, 1 missing, 1 delete, 0 undelivered');
    expect(readFileSync(metricsFile, 'utf8')).toMatch(/cdc_verify_differences\{feed="scopesWebsite"\} 4/);

    // a sample of 2 ids compares only their items; JSON names the same findings
    const s = await verify('--sample', '2', '--json');
    const [res] = JSON.parse(s.out) as Array<{ ids: number; findings: Array<{ sourceEntityId: string }> }>;
    expect(res!.ids).toBe(2);
    expect(res!.findings.every((f) => ['2', '3', '4', '7'].includes(f.sourceEntityId))).toBe(true);
  });
});
