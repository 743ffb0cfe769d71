// The built CLI as a user runs it (node dist/cli/index.js), and the topics a run left behind.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { testKafka } from '../integration/status.fixture.js';
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
