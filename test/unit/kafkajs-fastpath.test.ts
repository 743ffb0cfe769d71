// The kafkajs fast path is tied to kafkajs 2.2.4: with another version nothing is replaced (kafkajs
// runs its own code), one coded warning says so, and the gauge reads 0.
import { describe, expect, it } from 'vitest';
import { FAST_PRODUCE_FOR, fastPath, installFastPath, reportFastPath } from '../../src/kafka/kafkajs.js';
import { Metrics } from '../../src/metrics.js';

/** A require that fails the test if the installer touches kafkajs' modules. */
const untouchable = new Proxy(() => undefined, {
  apply: () => expect.unreachable('required a kafkajs module'),
  get: () => expect.unreachable('looked into the module cache'),
}) as unknown as NodeJS.Require;

function warnings() {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return { lines, log: { warn: (obj: Record<string, unknown>, msg: string) => void lines.push({ obj, msg }) } as never };
}

describe('kafkajs fast path', () => {
  it('is active in this process (kafkajs 2.2.4 installed)', () => {
    expect(fastPath).toEqual({ active: true, version: FAST_PRODUCE_FOR });
  });

  it('replaces nothing for another kafkajs version', () => {
    const status = installFastPath('2.2.5', untouchable);
    expect(status.active).toBe(false);
    expect(status.reason).toContain('2.2.4');
    expect(status.reason).toContain('2.2.5');
  });

  it('logs one coded warning and sets cdc_kafkajs_fast_path to 0 when inactive', async () => {
    const metrics = new Metrics({ defaults: false });
    const { lines, log } = warnings();
    reportFastPath(log, metrics.kafkajsFastPath, installFastPath('3.0.0', untouchable));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.obj).toMatchObject({ code: 'KAFKAJS_FAST_PATH_INACTIVE', kafkajs: '3.0.0' });
    expect(await metrics.registry.getSingleMetricAsString('cdc_kafkajs_fast_path')).toMatch(/^cdc_kafkajs_fast_path 0$/m);
  });

  it('logs nothing and sets the gauge to 1 when active', async () => {
    const metrics = new Metrics({ defaults: false });
    const { lines, log } = warnings();
    reportFastPath(log, metrics.kafkajsFastPath, fastPath);
    expect(lines).toHaveLength(0);
    expect(await metrics.registry.getSingleMetricAsString('cdc_kafkajs_fast_path')).toMatch(/^cdc_kafkajs_fast_path 1$/m);
  });
});
