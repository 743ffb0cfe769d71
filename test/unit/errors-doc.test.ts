import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';

// docs/errors.md is the user's catalogue: every code the program can print must
// be there with a cause and a fix, and nothing there may be stale.
const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const sections = new Map<string, string>();
for (const part of doc.split(/^## /m).slice(1)) {
  const [heading = '', ...body] = part.split('\n');
  sections.set(heading.trim(), body.join('\n'));
}

describe('docs/errors.md', () => {
  it('documents every code of ERROR_CODES', () => {
    const missing = Object.keys(ERROR_CODES).filter((c) => !sections.has(c));
    expect(missing).toEqual([]);
  });

  it('documents no code that does not exist', () => {
    const stale = [...sections.keys()].filter((c) => !(c in ERROR_CODES));
    expect(stale).toEqual([]);
  });

  it('gives each code its exit status and a fix', () => {
    for (const [code, body] of sections) {
      if (!(code in ERROR_CODES)) continue;
      const { exit } = ERROR_CODES[code as keyof typeof ERROR_CODES];
      expect(body, code).toMatch(new RegExp(`Exit ${exit}\\b`));
      expect(body, code).toMatch(/Fix:/);
    }
  });
});
