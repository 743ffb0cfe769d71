import type { Command } from 'commander';
import { createRequire } from 'node:module';

export function registerVersion(program: Command): void {
  const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };
  program.version(pkg.version, '-V, --version');
}
