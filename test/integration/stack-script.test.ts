// scripts/stack.sh on a private instance: up is idempotent, status tells the truth,
// a part that cannot start is named with its log, and down leaves no process behind.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startPrivateStack, type PrivateStack } from '../helpers/privateStack.js';
import { ROOT } from '../helpers/stack.js';

const PIDFILES = ['mariadb/mariadbd.pid', 'kafka/kafka.pid', 'registry/registry.pid'];

function pidsOf(dir: string): number[] {
  return PIDFILES.flatMap((f) => (existsSync(`${dir}/${f}`) ? [Number(readFileSync(`${dir}/${f}`, 'utf8').trim())] : []));
}

function alive(pids: number[]): number[] {
  const out = execFileSync('ps', ['-eo', 'pid'], { encoding: 'utf8' });
  const running = new Set(out.split('\n').map((l) => Number(l.trim())));
  return pids.filter((p) => running.has(p));
}

describe('scripts/stack.sh', () => {
  let s: PrivateStack | undefined;
  afterAll(() => s?.destroy());

  it('starts all three parts, reuses them on a second up, and stops every process on down', () => {
    s = startPrivateStack('script');
    expect(s.run('status')).toMatch(/mariadb: up[\s\S]*kafka: up[\s\S]*registry: up/);
    const pids = pidsOf(s.dir);
    expect(alive(pids)).toHaveLength(3);

    const again = s.run('up');
    expect(again).toMatch(/mariadb already running/);
    expect(again).toMatch(/kafka already running/);
    expect(again).toMatch(/registry already running/);

    s.run('down');
    expect(alive(pids)).toEqual([]);
    expect(pidsOf(s.dir)).toEqual([]);
    const status = spawnSync('bash', [`${ROOT}scripts/stack.sh`, 'status'], { env: { ...process.env, ...s.env }, encoding: 'utf8' });
    expect(status.status).toBe(1);
    expect(status.stdout).toMatch(/mariadb: down\nkafka: down\nregistry: down/);
  });

  it('names the part that fails to start and the path of its log, in one line', () => {
    // a port already taken by the shared stack's MariaDB makes this instance's MariaDB fail
    s!.run('down');
    const env = { ...process.env, ...s!.env, CDC_MYSQL_PORT: process.env.CDC_MYSQL_PORT ?? '3407', CDC_STACK_START_TIMEOUT: '20' };
    const r = spawnSync('bash', [`${ROOT}scripts/stack.sh`, 'start', 'mariadb'], { env, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toMatch(/^stack: STACK_START_FAILED: mariadb exited during start; see \S+mariadbd\.log$/);
    spawnSync('bash', [`${ROOT}scripts/stack.sh`, 'down'], { env, encoding: 'utf8' });
    expect(pidsOf(s!.dir)).toEqual([]);
  });
});
