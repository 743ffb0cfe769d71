// Registering the fixed records (item envelope, trigger, status) against the stack's real registry,
// in the two states that made the publisher exit 70 at every start in the exporter/publisher kill
// test: a subject that exists without a compatibility level of its own (the registry answers NONE:
// a process killed between the library's register and its config update), and two processes
// registering the same new subject at once (the exporter and the publisher, the status record).
import { describe, expect, it } from 'vitest';
import { createRegistry, RegistryClient } from '../../src/avro/registry.js';
import { loadSchema, registerCodec, STATUS_RECORD } from '../../src/avro/records.js';
import { stackEnv, uniqueName } from '../helpers/stack.js';

const config = { registry: { url: stackEnv.registryUrl } } as Parameters<typeof createRegistry>[0];
const status = loadSchema('schemas/status.avsc');

async function level(subject: string): Promise<string | undefined> {
  const r = await fetch(`${stackEnv.registryUrl}/config/${encodeURIComponent(subject)}`);
  return r.status === 200 ? ((await r.json()) as { compatibilityLevel: string }).compatibilityLevel : undefined;
}

describe('registerCodec', () => {
  it('registers under a subject left without its own level (the registry answers NONE) and keeps that level', async () => {
    const subject = `${uniqueName('regcodec')}.status-${STATUS_RECORD}`;
    const direct = await new RegistryClient(config.registry).register(subject, status);
    expect(await level(subject)).toBe('NONE');
    const codec = await registerCodec(createRegistry(config), subject, status);
    expect(codec.id).toBe(direct);
    expect(await level(subject)).toBe('NONE');
  });

  it('two clients registering the same new subject at once both get its id', async () => {
    for (let round = 0; round < 5; round++) {
      const subject = `${uniqueName('regcodec')}.status-${STATUS_RECORD}`;
      const [a, b] = await Promise.all([registerCodec(createRegistry(config), subject, status), registerCodec(createRegistry(config), subject, status)]);
      expect(a.id).toBe(b.id);
      expect(await level(subject)).toBe('BACKWARD');
    }
  });
});
