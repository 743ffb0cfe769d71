// One soak run's rows for scripts/soak.sh: vitest's JSON report (result, seconds per
// test) joined with the FAULT-SUMMARY lines of the run's output (changes, lost,
// doubled; `test=` is the test file's name without .test.ts; several lines of one
// file are summed). Tab-separated.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

const [run, reportFile, logFile] = process.argv.slice(2);
const summaries = new Map();
for (const line of (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '').split('\n')) {
  const m = /FAULT-SUMMARY (.*)$/.exec(line);
  if (!m) continue;
  const f = Object.fromEntries(m[1].trim().split(/\s+/).map((kv) => kv.split('=')));
  // a file whose test runs more than once (per edition, say) prints a line each: their sums
  const prev = summaries.get(f.test);
  if (prev) for (const k of ['changes', 'lost', 'doubled']) f[k] = String(Number(prev[k]) + Number(f[k]));
  summaries.set(f.test, f);
}
if (!existsSync(reportFile)) {
  console.log(`${run}\t(no report)\tfail\t0\t-\t-\t-`);
  process.exit(0);
}
const report = JSON.parse(readFileSync(reportFile, 'utf8'));
for (const file of report.testResults ?? []) {
  const test = basename(file.name).replace(/\.test\.ts$/, '');
  const s = summaries.get(test) ?? {};
  const results = file.assertionResults ?? [];
  const pass = results.length > 0 && results.every((a) => a.status === 'passed') && file.status !== 'failed';
  const seconds = ((file.endTime ?? 0) - (file.startTime ?? 0)) / 1000 || results.reduce((t, a) => t + (a.duration ?? 0), 0) / 1000;
  console.log([run, test, pass ? 'pass' : 'fail', seconds.toFixed(0), s.changes ?? '-', s.lost ?? '-', s.doubled ?? '-'].join('\t'));
}
