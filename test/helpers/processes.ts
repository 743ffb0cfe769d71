// Child processes of the fault tests: a connector process must never end on its own.
import type { ChildProcess } from 'node:child_process';

/**
 * Adds to `into` a line for the child if it exits other than by SIGKILL while `expected()` is
 * false, with its last output; `onExit` gets that line too (for a log file).
 */
export function recordSelfExit(p: ChildProcess, label: string, into: string[], expected: () => boolean, onExit?: (line: string) => void): void {
  let tail = '';
  p.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-1500);
  });
  p.once('exit', (code, signal) => {
    if (signal === 'SIGKILL' || expected()) return;
    const line = `${label} pid ${p.pid} exited by itself with code ${code} signal ${signal}`;
    onExit?.(line);
    into.push(`${line}; its last output:\n${tail}`);
  });
}
