// The built CLI as a user runs it (node dist/cli/index.js), and the topics a run left behind.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { promisify } from 'node:util';
import { cliEnv, testKafka } from '../integration/status.fixture.js';
import { ROOT } from './stack.js';

const run = promisify(execFile);

/** The built CLI's entry point. */
export const CLI = `${ROOT}dist/cli/index.js`;

export interface CliResult {
  /** The exit status; -1 when the process has none (killed by a signal or the timeout, or never started). */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI with `args` in `env` (the test's own environment if left out) to its end;
 * a non-zero exit is a result, not an error. The timeout stays under the integration tests'
 * 180 s so that a hung command fails its test with its output rather than by the test's timeout.
 */
export async function cli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult> {
  try {
    const r = await run('node', [CLI, ...args], { env, cwd: ROOT, timeout: 170_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

/** The topics of `prefix` (`<prefix>.*`), sorted. */
export async function prefixTopics(prefix: string): Promise<string[]> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`)).sort();
  } finally {
    await admin.disconnect();
  }
}

/**
 * `commerce-cdc run` for `feeds` with the status page on `port` behind `token`, publishing to `receiverUrl`,
 * its output in test-results/<logName>.log (kept for a failed test).
 */
export function spawnRunWithDashboard(o: { prefix: string; database: string; feeds: string; receiverUrl: string; port: number; token: string; logName: string }): ChildProcess {
  mkdirSync(`${ROOT}test-results`, { recursive: true });
  const logFile = openSync(`${ROOT}test-results/${o.logName}.log`, 'w');
  return spawn('node', [CLI, 'run'], {
    env: cliEnv(o.prefix, o.database, {
      CDC_EXPORTER_FEEDS: o.feeds,
      CDC_PUBLISHER_BASE_URL: o.receiverUrl,
      CDC_DASHBOARD_PORT: String(o.port),
      CDC_DASHBOARD_TOKEN: o.token,
      CDC_MYSQL_SERVER_ID: String(20_000 + Math.floor(Math.random() * 100_000)),
    }),
    stdio: ['ignore', logFile, logFile],
  });
}
